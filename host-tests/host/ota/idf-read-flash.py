"""Run ESP-IDF's own parttool and otatool (imported from $IDF_PATH, not
copied) against a flash image file as if it were a board: their esptool
`read-flash` calls are answered from the file instead of a serial port.
Prints what the tools decode, one fact per line:
  partition <name> <type> <subtype> <offset> <size>
  otadata <sector> <seq> <crc>
Used by host-tests/host/ota/idf-tools.test.ts (skipped without IDF_PATH)."""
import os
import sys

idf = os.environ["IDF_PATH"]
sys.path[0:0] = [os.path.join(idf, "components", "partition_table"), os.path.join(idf, "components", "app_update")]
import otatool  # noqa: E402
import parttool  # noqa: E402

flash_file = sys.argv[1]


def read_flash_from_file(self, args, out=None):
    if args[0] != "read-flash":
        raise SystemExit("only read-flash is served from the file, not %r" % (args,))
    offset, size, output = int(args[1], 0), int(args[2], 0), args[3]
    with open(flash_file, "rb") as f:
        f.seek(offset)
        data = f.read(size)
    with open(output, "wb") as o:
        o.write(data)


parttool.ParttoolTarget._call_esptool = read_flash_from_file
target = otatool.OtatoolTarget(port="flash-file")
for p in target.target.partition_table:
    print("partition %s %d %d 0x%x 0x%x" % (p.name, p.type, p.subtype, p.offset, p.size))
for i, e in enumerate(target._get_otadata_info()):
    print("otadata %d 0x%08x 0x%08x" % (i, e.seq, e.crc))
