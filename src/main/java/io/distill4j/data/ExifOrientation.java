package io.distill4j.data;

/**
 * The EXIF orientation tag (0x0112) of a JPEG, read from its APP1 segment: 1 (upright) when absent or unreadable.
 * Walks the markers up to the first scan; reads IFD0 only, where cameras write the tag.
 */
final class ExifOrientation {
    private ExifOrientation() {}

    static int of(byte[] b) {
        int p = 2; // after SOI
        while (p + 4 <= b.length && (b[p] & 0xff) == 0xff) {
            int marker = b[p + 1] & 0xff;
            if (marker == 0xda || marker == 0xd9) { // start of scan, end of image: no more metadata
                return 1;
            }
            int len = ((b[p + 2] & 0xff) << 8) | (b[p + 3] & 0xff);
            if (len < 2) {
                return 1;
            }
            if (marker == 0xe1 && len >= 16 && p + 2 + len <= b.length && b[p + 4] == 'E' && b[p + 5] == 'x'
                    && b[p + 6] == 'i' && b[p + 7] == 'f' && b[p + 8] == 0 && b[p + 9] == 0) {
                int o = tiff(b, p + 10, p + 2 + len);
                if (o != 0) {
                    return o;
                }
            }
            p += 2 + len;
        }
        return 1;
    }

    /** The orientation in the TIFF structure at [start, end), or 0 when it has none. */
    private static int tiff(byte[] b, int start, int end) {
        boolean little = b[start] == 'I' && b[start + 1] == 'I';
        if (!little && !(b[start] == 'M' && b[start + 1] == 'M')) {
            return 0;
        }
        long ifd = u32(b, start + 4, little);
        if (ifd < 8 || start + ifd + 2 > end) {
            return 0;
        }
        int at = (int) (start + ifd);
        int entries = u16(b, at, little);
        for (int k = 0; k < entries; k++) {
            int e = at + 2 + 12 * k;
            if (e + 12 > end) {
                return 0;
            }
            if (u16(b, e, little) == 0x0112) {
                int v = u16(b, e + 8, little);
                return v >= 1 && v <= 8 ? v : 1;
            }
        }
        return 0;
    }

    private static int u16(byte[] b, int p, boolean little) {
        return little ? (b[p] & 0xff) | (b[p + 1] & 0xff) << 8 : (b[p] & 0xff) << 8 | (b[p + 1] & 0xff);
    }

    private static long u32(byte[] b, int p, boolean little) {
        return little ? (u16(b, p, true) | (long) u16(b, p + 2, true) << 16)
                : ((long) u16(b, p, false) << 16 | u16(b, p + 2, false));
    }
}
