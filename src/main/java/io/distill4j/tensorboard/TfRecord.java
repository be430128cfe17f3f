package io.distill4j.tensorboard;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * TFRecord framing, the container of TensorBoard's event files: each record is its length (uint64, little
 * endian), the masked CRC32C of those 8 bytes, the data, and the masked CRC32C of the data (uint32s, little
 * endian). The CRCs let a reader tell a whole record from one that a killed writer cut short.
 */
public final class TfRecord {
    /** Added after the rotation, as TensorFlow's crc32c::Mask does. */
    private static final int MASK_DELTA = 0xa282ead8;

    private TfRecord() {}

    /** {@code data} as one framed record. */
    public static byte[] frame(byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + 4 + data.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(data.length);
        b.putInt(maskedCrc32c(b.array(), 0, 8));
        b.put(data);
        b.putInt(maskedCrc32c(data, 0, data.length));
        return b.array();
    }

    /**
     * CRC32C of the bytes, rotated right by 15 bits and offset: TensorFlow masks the CRCs it stores, since a CRC
     * computed over data that itself holds CRCs is weak.
     */
    public static int maskedCrc32c(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + MASK_DELTA;
    }
}
