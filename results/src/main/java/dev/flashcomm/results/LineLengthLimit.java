package dev.flashcomm.results;

import java.io.FilterReader;
import java.io.IOException;
import java.io.Reader;

/**
 * A reader that fails once a line grows past a limit. A CSV parser buffers a whole field, so a file without line
 * ends (a sparse file of NULs, {@code /dev/zero} copied to disk) would otherwise be read into the heap whole before
 * any check could see it; with this it costs the limit and no more.
 */
final class LineLengthLimit extends FilterReader {

    /** The line a reader stopped at, 1-based, and the limit it passed. */
    static final class LineTooLongException extends IOException {
        private final long line;

        LineTooLongException(long line, int limit) {
            super("longer than " + limit + " characters");
            this.line = line;
        }

        long line() {
            return line;
        }
    }

    private final int limit;
    private long line = 1;
    private int length;

    LineLengthLimit(Reader in, int limit) {
        super(in);
        this.limit = limit;
    }

    @Override
    public int read() throws IOException {
        int c = super.read();
        if (c >= 0) {
            count((char) c);
        }
        return c;
    }

    @Override
    public int read(char[] buf, int off, int len) throws IOException {
        int n = super.read(buf, off, len);
        for (int i = off; i < off + n; i++) {
            count(buf[i]);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        // every character must pass through count(): skipping reads them
        char[] buf = new char[(int) Math.min(n, 8192)];
        long skipped = 0;
        while (skipped < n) {
            int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void count(char c) throws LineTooLongException {
        if (c == '\n') {
            line++;
            length = 0;
        } else if (++length > limit) {
            throw new LineTooLongException(line, limit);
        }
    }
}
