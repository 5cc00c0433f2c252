"""Record ids are unique per sensor (Contract 4) across runs, not only within one: "SENSOR:"
then the run's epoch in milliseconds (13 digits) and the sequence within the run (18 digits).
With --read the epoch is the first packet's time, so the same input gives the same ids again
(acdd stores such a record once), while input captured at another time gives other ids where a
sequence from zero repeated them (and acdd refused the second run's batches as already stored).
Live capture takes its start time (test_live_capture checks that)."""
import json
import re
import struct

from acdtest import Workdir, approval, check, finish, gen, keygen, records, sensor

ID = re.compile(r"^t-1:(\d{13})(\d{18})$")


def shifted(src, dst, seconds):
    """A copy of the classic pcap `src` with every packet `seconds` later."""
    with open(src, "rb") as f:
        data = bytearray(f.read())
    magic = struct.unpack_from("<I", data, 0)[0]
    check(magic in (0xA1B2C3D4, 0xA1B23C4D), f"{src}: a little-endian classic pcap")
    off = 24
    while off + 16 <= len(data):
        sec, _, incl, _ = struct.unpack_from("<IIII", data, off)
        struct.pack_into("<I", data, off, sec + seconds)
        off += 16 + incl
    check(off == len(data), f"{src}: whole packets")
    with open(dst, "wb") as f:
        f.write(data)


def first_packet_ms(path):
    with open(path, "rb") as f:
        data = f.read(40)
    magic = struct.unpack_from("<I", data, 0)[0]
    sec, frac = struct.unpack_from("<II", data, 24)
    return sec * 1000 + (frac // 1000 if magic == 0xA1B2C3D4 else frac // 1000000)


def run(wd, tag, apps, pub, pcap):
    out = wd.p("out-" + tag)
    r = sensor(wd, out, apps, [pcap], ckey=pub)
    check(r.returncode == 0, f"{tag}: exit 0 ({r.stderr[-300:]})")
    return [x["id"] for x in records(out)]


def main():
    with Workdir("record_ids") as wd:
        ck = wd.p("commission")
        pub = keygen(ck)
        apps = [approval(wd, "FF", ck), approval(wd, "FD", ck, kind="foreign-domestic")]
        pcap = gen(wd, "sample")
        later = wd.p("sample-later.pcap")
        shifted(pcap, later, 3600)

        a, again, b = (run(wd, "a", apps, pub, pcap), run(wd, "again", apps, pub, pcap),
                       run(wd, "later", apps, pub, later))
        check(len(a) > 10, f"records were selected ({len(a)})")
        for tag, ids, path in (("a", a, pcap), ("later", b, later)):
            check(len(set(ids)) == len(ids), f"{tag}: ids unique within the run")
            shapes = [ID.match(i) for i in ids]
            check(all(shapes), f"{tag}: every id is SENSOR: and 31 digits ({ids[0]})")
            epochs = {m.group(1) for m in shapes}
            want = f"{first_packet_ms(path):013d}"
            check(epochs == {want}, f"{tag}: the epoch is the first packet's time ({epochs}, {want})")
        check(sorted(a) == sorted(again), "the same input gives the same ids again")
        check(not set(a) & set(b), "input captured an hour later gives other ids")
        check(sorted(ID.match(i).group(2) for i in a) == sorted(ID.match(i).group(2) for i in b),
              "... with the same sequence numbers: only the epoch tells the runs apart")
    finish("test_record_ids", f"{len(a)} records: ids repeat for the same input and differ for "
                              "input from another time")


if __name__ == "__main__":
    main()
