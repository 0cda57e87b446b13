"""Tests for raidsim.io.motec (.ld / .ldx).

The layout is checked against an INDEPENDENT minimal reader/builder written below from the
layout summary in docs/design.md ("MoTeC .ld and .ldx") with numpy structured dtypes; it does not
import raidsim.io.motec, so a layout mistake in the module cannot hide behind itself.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from raidsim.io import motec
from raidsim.io.motec import LdChannel, LdMeta, export_ld, read_ld, write_ld, write_ldx

# --- independent layout (ecosystem.md §1), numpy structured dtypes ------------------------
HEADER = np.dtype(
    {
        "names": [
            "marker", "meta_ptr", "data_ptr", "event_ptr", "serial", "device_type",
            "device_version", "num_channels", "date", "time", "driver", "vehicle_id", "venue",
            "pro_magic", "short_comment",
        ],
        "formats": [
            "<u4", "<u4", "<u4", "<u4", "<u4", "S8", "<u2", "<u4", "S16", "S16", "S64", "S64",
            "S64", "<u4", "S64",
        ],
        "offsets": [0, 8, 12, 36, 70, 74, 82, 86, 94, 126, 158, 222, 350, 1502, 1572],
        "itemsize": 1762,
    }
)  # fmt: skip
EVENT = np.dtype(
    {
        "names": ["name", "session", "comment", "venue_ptr"],
        "formats": ["S64", "S64", "S1024", "<u2"],
        "offsets": [0, 64, 128, 1152],
        "itemsize": 1154,
    }
)
VENUE = np.dtype(
    {"names": ["name", "vehicle_ptr"], "formats": ["S64", "<u2"], "offsets": [0, 1098],
     "itemsize": 1100}
)  # fmt: skip
VEHICLE = np.dtype(
    {"names": ["id", "weight", "type", "comment"], "formats": ["S64", "<u4", "S32", "S32"],
     "offsets": [0, 192, 196, 228], "itemsize": 260}
)  # fmt: skip
CHANNEL = np.dtype(
    [
        ("prev", "<u4"), ("next", "<u4"), ("data_ptr", "<u4"), ("n", "<u4"),
        ("counter", "<u2"), ("dclass", "<u2"), ("size", "<u2"), ("rate", "<u2"),
        ("shift", "<i2"), ("mul", "<i2"), ("scale", "<i2"), ("dec", "<i2"),
        ("name", "S32"), ("short", "S8"), ("unit", "S12"), ("pad", "V40"),
    ]
)  # fmt: skip
SAMPLE = {(0x07, 2): "<f2", (0x07, 4): "<f4", (0x00, 2): "<i2", (0x03, 2): "<i2",
          (0x05, 2): "<i2", (0x00, 4): "<i4", (0x03, 4): "<i4", (0x05, 4): "<i4"}  # fmt: skip


def test_independent_sizes() -> None:
    assert (HEADER.itemsize, EVENT.itemsize, VENUE.itemsize, VEHICLE.itemsize) == (
        1762, 1154, 1100, 260,
    )  # fmt: skip
    assert CHANNEL.itemsize == 124


def mini_read(raw: bytes) -> dict[str, Any]:
    """Walk header -> event -> venue -> vehicle and the channel list; decode every channel."""
    hdr = np.frombuffer(raw, HEADER, count=1)[0]
    ev = np.frombuffer(raw, EVENT, count=1, offset=int(hdr["event_ptr"]))[0]
    ve = np.frombuffer(raw, VENUE, count=1, offset=int(ev["venue_ptr"]))[0]
    vh = np.frombuffer(raw, VEHICLE, count=1, offset=int(ve["vehicle_ptr"]))[0]
    nodes: list[tuple[int, Any]] = []
    ptr = int(hdr["meta_ptr"])
    while ptr:
        node = np.frombuffer(raw, CHANNEL, count=1, offset=ptr)[0]
        nodes.append((ptr, node))
        ptr = int(node["next"])
        assert len(nodes) <= int(hdr["num_channels"]), "list longer than num_channels"
    channels = []
    for _, c in nodes:
        rawv = np.frombuffer(
            raw, SAMPLE[(int(c["dclass"]), int(c["size"]))], count=int(c["n"]),
            offset=int(c["data_ptr"]),
        ).astype(np.float64)  # fmt: skip
        phys = (rawv / int(c["scale"]) * 10.0 ** -int(c["dec"]) + int(c["shift"])) * int(c["mul"])
        channels.append(
            {"name": c["name"].decode(), "unit": c["unit"].decode(), "rate": int(c["rate"]),
             "short": c["short"].decode(), "data": phys}
        )  # fmt: skip
    return {"hdr": hdr, "event": ev, "venue": ve, "vehicle": vh, "nodes": nodes,
            "channels": channels}  # fmt: skip


Spec = tuple[str, str, int, int, int, tuple[int, int, int, int], bytes]


def mini_build(channels: list[Spec]) -> bytes:
    """Hand-build a .ld file: (name, unit, rate, dclass, size, (shift, mul, scale, dec), data).

    Header only (event_ptr = 0, so no event/venue/vehicle blocks), list right after it.
    """
    hdr = np.zeros(1, HEADER)
    meta_ptr = 1762
    data_ptr = meta_ptr + 124 * len(channels)
    hdr[0]["marker"], hdr[0]["meta_ptr"], hdr[0]["data_ptr"] = 0x40, meta_ptr, data_ptr
    hdr[0]["num_channels"] = len(channels)
    hdr[0]["date"], hdr[0]["time"] = b"02/01/2026", b"07:30:00"
    hdr[0]["driver"], hdr[0]["vehicle_id"], hdr[0]["venue"] = b"Drv", b"Car", b"Yanbu"
    hdr[0]["short_comment"] = b"hand built"
    nodes = np.zeros(len(channels), CHANNEL)
    blobs = []
    for i, (name, unit, rate, dclass, size, (shift, mul, scale, dec), blob) in enumerate(channels):
        n = nodes[i]
        n["prev"] = meta_ptr + 124 * (i - 1) if i else 0
        n["next"] = meta_ptr + 124 * (i + 1) if i < len(channels) - 1 else 0
        n["data_ptr"], n["n"] = data_ptr, len(blob) // size
        n["dclass"], n["size"], n["rate"] = dclass, size, rate
        n["shift"], n["mul"], n["scale"], n["dec"] = shift, mul, scale, dec
        n["name"], n["unit"] = name.encode(), unit.encode()
        data_ptr += len(blob)
        blobs.append(blob)
    return hdr.tobytes() + nodes.tobytes() + b"".join(blobs)


# --- fixtures ------------------------------------------------------------------------------
META = LdMeta(
    driver="Nasser Al-Attiyah",
    vehicle="D7X-R #200",
    venue="Yanbu",
    event="Dakar 2026",
    session="Stage 1",
    comment="prologue, soft sand",
    datetime=dt.datetime(2026, 1, 3, 8, 15, 2),
)


def sample_channels() -> list[LdChannel]:
    rng = np.random.default_rng(7)
    return [
        LdChannel("Speed", "m/s", 100, np.linspace(0.0, 55.5, 1000), "Spd"),
        LdChannel("Engine Speed", "rpm", 50, rng.uniform(800, 7000, 500)),
        LdChannel("Gear", "", 10, (np.arange(100) % 6).astype(np.int64)),
        LdChannel("Halfshaft Torque Fl", "Nm", 200, rng.normal(0, 3e3, 2000)),
        LdChannel("Latitude", "deg", 1, np.array([24.0891234, 24.0891301])),
    ]


# --- round trip ----------------------------------------------------------------------------
def test_round_trip_several_rates(tmp_path: Path) -> None:
    chans = sample_channels()
    path = tmp_path / "run.ld"
    write_ld(path, chans, META)
    meta, back = read_ld(path)
    assert meta == META
    assert [c.name for c in back] == [c.name for c in chans]
    assert [c.unit for c in back] == [c.unit for c in chans]
    assert [c.rate_hz for c in back] == [float(c.rate_hz) for c in chans]
    assert [c.short_name for c in back] == [c.short_name for c in chans]
    for orig, got in zip(chans, back, strict=True):
        assert got.data.dtype == np.float64
        np.testing.assert_allclose(got.data, orig.data, rtol=1e-6, atol=0)
        np.testing.assert_array_equal(got.data, np.asarray(orig.data).astype(np.float32))


def test_independent_reader_agrees_and_layout_is_consistent(tmp_path: Path) -> None:
    chans = sample_channels()
    path = tmp_path / "run.ld"
    write_ld(path, chans, META)
    raw = path.read_bytes()
    r = mini_read(raw)
    hdr = r["hdr"]

    # golden header values and offsets
    assert raw[:4] == b"\x40\0\0\0"
    assert hdr["device_type"] == b"ADL" and raw[74:77] == b"ADL"
    assert int(hdr["device_version"]) == 420
    assert int(hdr["pro_magic"]) == 0xC81A4
    assert int(hdr["num_channels"]) == len(chans)
    assert raw[94:104] == b"03/01/2026" and raw[126:134] == b"08:15:02"
    assert hdr["driver"] == META.driver.encode() and hdr["venue"] == b"Yanbu"
    assert hdr["vehicle_id"] == META.vehicle.encode()

    # pointer chain header -> event -> venue -> vehicle
    for ptr in (int(hdr["event_ptr"]), int(r["event"]["venue_ptr"]),
                int(r["venue"]["vehicle_ptr"])):  # fmt: skip
        assert 1762 <= ptr < int(hdr["meta_ptr"])
    assert r["event"]["name"] == b"Dakar 2026" and r["event"]["session"] == b"Stage 1"
    assert r["event"]["comment"] == META.comment.encode()
    assert r["venue"]["name"] == b"Yanbu"
    assert r["vehicle"]["id"] == META.vehicle.encode()

    # doubly linked list: prev/next agree, counter increments, data contiguous to EOF
    nodes = r["nodes"]
    assert len(nodes) == len(chans)
    addrs = [a for a, _ in nodes]
    for i, (addr, node) in enumerate(nodes):
        assert int(node["prev"]) == (addrs[i - 1] if i else 0)
        assert int(node["next"]) == (addrs[i + 1] if i + 1 < len(nodes) else 0)
        assert int(node["counter"]) == 0x2EE1 + i
        assert (int(node["dclass"]), int(node["size"])) == (0x07, 4)
        assert (int(node["shift"]), int(node["mul"]), int(node["scale"]), int(node["dec"])) == (
            0, 1, 1, 0,
        )  # fmt: skip
        assert node["pad"].tobytes() == bytes(40)
        assert addr + 124 <= int(hdr["data_ptr"])
    expected_ptr = int(hdr["data_ptr"])
    for _, node in nodes:
        assert int(node["data_ptr"]) == expected_ptr
        expected_ptr += int(node["n"]) * 4
    assert expected_ptr == len(raw)

    # decoded data and names agree with what was written
    for orig, got in zip(chans, r["channels"], strict=True):
        assert (got["name"], got["unit"], got["rate"]) == (orig.name, orig.unit, orig.rate_hz)
        np.testing.assert_allclose(got["data"], orig.data, rtol=1e-6)


def test_reader_scales_int16_int32_float16(tmp_path: Path) -> None:
    i16 = np.array([-300, 0, 125, 32767], dtype="<i2")
    i32 = np.array([-(2**31), 7, 2**31 - 1], dtype="<i4")
    f16 = np.array([0.5, -2.25, 1024.0], dtype="<f2")
    path = tmp_path / "foreign.ld"
    path.write_bytes(
        mini_build(
            [
                ("Oil Temp", "C", 10, 0x03, 2, (5, 2, 10, 1), i16.tobytes()),
                ("Counter", "", 20, 0x05, 4, (0, 1, 1, 0), i32.tobytes()),
                ("Brake Press", "bar", 50, 0x00, 4, (-1, 3, 4, -2), i32.tobytes()),
                ("Half", "V", 1, 0x07, 2, (0, 1, 1, 0), f16.tobytes()),
            ]
        )
    )
    meta, chans = read_ld(path)
    assert (meta.driver, meta.vehicle, meta.venue, meta.comment) == (
        "Drv", "Car", "Yanbu", "hand built",
    )  # fmt: skip
    assert meta.datetime == dt.datetime(2026, 1, 2, 7, 30, 0)
    assert [c.name for c in chans] == ["Oil Temp", "Counter", "Brake Press", "Half"]
    assert [c.rate_hz for c in chans] == [10.0, 20.0, 50.0, 1.0]
    np.testing.assert_allclose(chans[0].data, (i16 / 10 * 0.1 + 5) * 2)
    np.testing.assert_array_equal(chans[1].data, i32.astype(np.float64))
    np.testing.assert_allclose(chans[2].data, (i32 / 4 * 100.0 - 1) * 3)
    np.testing.assert_array_equal(chans[3].data, f16.astype(np.float64))


# --- bad input -----------------------------------------------------------------------------
@pytest.mark.parametrize("rate", [12.5, 0, -10, 70000, float("nan"), float("inf")])
def test_bad_rate_names_channel(tmp_path: Path, rate: float) -> None:
    chans = [LdChannel("Speed", "m/s", 10, np.ones(3)), LdChannel("Yaw", "rad/s", rate, np.ones(3))]
    with pytest.raises(ValueError, match="'Yaw'"):
        write_ld(tmp_path / "x.ld", chans, META)
    assert not (tmp_path / "x.ld").exists()


def test_name_collision_after_truncation(tmp_path: Path) -> None:
    base = "Halfshaft Torque Front Left Long"  # exactly 32 bytes
    assert len(base) == 32
    chans = [
        LdChannel(base + " A", "Nm", 10, np.ones(3)),
        LdChannel(base + " B", "Nm", 10, np.ones(3)),
    ]
    with pytest.raises(ValueError, match=f"'{base} B'.*'{base} A'"):
        write_ld(tmp_path / "x.ld", chans, META)


def test_truncation_respects_field_sizes_and_utf8(tmp_path: Path) -> None:
    name = "x" * 31 + "é"  # 33 bytes: the 2-byte character must not be split
    ch = LdChannel(name, "Nm/rad/s/Kg°", 10, np.ones(2), "ShortName")  # unit: 13 bytes
    write_ld(tmp_path / "t.ld", [ch], META)
    _, (back,) = read_ld(tmp_path / "t.ld")
    assert back.name == "x" * 31
    assert back.short_name == "ShortNam"
    assert back.unit == "Nm/rad/s/Kg"  # the 12th byte would split the 2-byte "°"


@pytest.mark.parametrize("bad", [np.array([1.0, np.nan]), np.array([1e39]), np.ones((2, 2))])
def test_bad_data_names_channel(tmp_path: Path, bad: np.ndarray) -> None:
    with pytest.raises(ValueError, match="'Speed'"):
        write_ld(tmp_path / "x.ld", [LdChannel("Speed", "m/s", 10, bad)], META)


def test_failed_write_leaves_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "run.ld"
    write_ld(path, sample_channels(), META)
    before = path.read_bytes()

    def boom(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        write_ld(path, sample_channels()[:1], META)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["run.ld"]


def test_read_rejects_non_ld(tmp_path: Path) -> None:
    (tmp_path / "short.ld").write_bytes(b"\x40" + bytes(100))
    with pytest.raises(ValueError, match="past the end"):
        read_ld(tmp_path / "short.ld")
    (tmp_path / "junk.ld").write_bytes(b"PK\x03\x04" + bytes(2000))
    with pytest.raises(ValueError, match="marker"):
        read_ld(tmp_path / "junk.ld")


@functools.cache
def _valid_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "v.ld"
        write_ld(p, sample_channels()[2:], META)
        return p.read_bytes()


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(
                st.integers(0, 1761),  # header
                st.integers(8180, 9333),  # event block
                st.integers(11336, 11336 + 3 * 124 - 1),  # channel headers
            ),
            st.integers(0, 255),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_corrupted_file_gives_result_or_value_error(edits: list[tuple[int, int]]) -> None:
    raw = bytearray(_valid_bytes())
    for pos, byte in edits:
        raw[pos] = byte
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "c.ld"
        p.write_bytes(bytes(raw))
        with contextlib.suppress(ValueError):
            read_ld(p)


# --- property: random channel sets round-trip ----------------------------------------------
finite_f32 = st.floats(width=32, allow_nan=False, allow_infinity=False)


@st.composite
def channel_sets(draw: st.DrawFn) -> list[LdChannel]:
    names = draw(
        st.lists(
            st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1,
                    max_size=32),
            min_size=1, max_size=5, unique=True,
        )
    )  # fmt: skip
    chans = []
    for name in names:
        n = draw(st.integers(1, 500))
        data = draw(hnp.arrays(np.float32, n, elements=finite_f32))
        rate = draw(st.integers(1, 1000))
        unit = draw(st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=12))
        chans.append(LdChannel(name, unit, rate, data.astype(np.float64)))
    return chans


@settings(max_examples=60, deadline=None)
@given(channel_sets())
def test_property_round_trip(chans: list[LdChannel]) -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "p.ld"
        write_ld(path, chans, META)
        meta, back = read_ld(path)
        raw = path.read_bytes()
    assert meta == META
    assert len(back) == len(chans)
    for orig, got, indep in zip(chans, back, mini_read(raw)["channels"], strict=True):
        assert (got.name, got.unit, got.rate_hz) == (orig.name, orig.unit, orig.rate_hz)
        # float32-representable input: exact (well within rtol 1e-6)
        np.testing.assert_array_equal(got.data, orig.data)
        np.testing.assert_array_equal(indep["data"], orig.data)


# --- export_ld -----------------------------------------------------------------------------
def test_export_ld_names_units_and_skips_time(tmp_path: Path) -> None:
    n = 250
    table = {
        "time_s": np.arange(n) / 50.0,
        "distance_m": np.linspace(0, 100, n),
        "speed_mps": np.full(n, 20.0),
        "engine_speed_rpm": np.full(n, 4000.0),
        "gear": np.full(n, 4),
        "throttle": np.linspace(0, 1, n),
        "halfshaft_torque_fl_Nm": np.full(n, 812.5),
    }
    units = {"speed_mps": "m/s", "engine_speed_rpm": "rpm", "halfshaft_torque_fl_Nm": "Nm"}
    export_ld(tmp_path / "e.ld", table, units, 50, META)
    _, chans = read_ld(tmp_path / "e.ld")
    got = [(c.name, c.unit, c.rate_hz, len(c.data)) for c in chans]
    assert got == [
        ("Distance", "m", 50.0, n),
        ("Speed", "m/s", 50.0, n),
        ("Engine Speed", "rpm", 50.0, n),
        ("Gear", "", 50.0, n),
        ("Throttle", "", 50.0, n),
        ("Halfshaft Torque Fl", "Nm", 50.0, n),
    ]
    np.testing.assert_allclose(chans[-1].data, 812.5)


def test_motec_channel_name() -> None:
    assert motec.motec_channel_name("speed_mps") == "Speed"
    assert motec.motec_channel_name("fuel_mass", "mass") == "Fuel"
    assert motec.motec_channel_name("s") == "S"
    assert len(motec.motec_channel_name("a_very_long_channel_name_that_goes_on_mps")) <= 32


def test_export_ld_rejects_mismatched_time_and_collisions(tmp_path: Path) -> None:
    t = np.arange(10) / 100.0
    with pytest.raises(ValueError, match="time_s is not uniform"):
        export_ld(tmp_path / "e.ld", {"time_s": t, "speed_mps": t}, {}, 50, META)
    with pytest.raises(ValueError, match="'speed_mps' and 'speed_kmh'"):
        export_ld(tmp_path / "e.ld", {"speed_mps": t, "speed_kmh": t}, {}, 100, META)
    with pytest.raises(ValueError, match="'Speed'"):
        export_ld(tmp_path / "e.ld", {"speed_mps": t}, {}, 12.5, META)


# --- .ldx ----------------------------------------------------------------------------------
def test_write_ldx_markers_in_microseconds(tmp_path: Path) -> None:
    markers = [("WP1", 161.5), ("WP2", 300.25), ("ASS", 1234.567891)]
    write_ldx(tmp_path / "run.ldx", markers)
    root = ET.parse(tmp_path / "run.ldx").getroot()
    assert root.tag == "LDXFile" and root.get("Version") == "1.6"
    group = root.find("./Layers/Layer/MarkerBlock/MarkerGroup[@Name='Beacons']")
    assert group is not None
    got = [(m.get("Name"), float(m.get("Time", "nan")), m.get("ClassName")) for m in group]
    assert [g[0] for g in got] == ["WP1", "WP2", "ASS"]
    assert all(g[2] == "BCN" for g in got)
    np.testing.assert_allclose([g[1] for g in got], [1.615e8, 3.0025e8, 1234.567891e6], rtol=0,
                               atol=1e-3)  # fmt: skip
    details = {s.get("Id"): s.get("Value") for s in root.iterfind("./Layers/Details/String")}
    assert details == {"Total Laps": "3", "Fastest Time": "2:18.750", "Fastest Lap": "2"}


def test_write_ldx_rejects_unordered(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="'B'"):
        write_ldx(tmp_path / "x.ldx", [("A", 10.0), ("B", 5.0)])
    with pytest.raises(ValueError, match="'A'"):
        write_ldx(tmp_path / "x.ldx", [("A", -1.0)])
