package dev.flashcomm.tp.comm.engine;

import ai.djl.Device;

/**
 * A chunk of packed groups as it travels: the full-length groups and the short row-tail groups in separate buffers
 * (their code rows differ in length); either is null when the chunk has none.
 */
public record PackedChunk(PackedPiece full, PackedPiece tail) {

    /** Packs a chunk of group pieces with {@code q}. */
    public static PackedChunk pack(EngineGroupQuantizer q, GroupPieces pieces) {
        return new PackedChunk(pieces.full() == null ? null : q.pack(pieces.full()),
                pieces.tail() == null ? null : q.pack(pieces.tail()));
    }

    /** Decodes with {@code q} (the quantizer that packed it) into fp32 group pieces. */
    public GroupPieces unpack(EngineGroupQuantizer q) {
        return new GroupPieces(full == null ? null : q.unpack(full), tail == null ? null : q.unpack(tail));
    }

    /** Bytes on the wire, summed from the buffers. */
    public long byteSize() {
        return (full == null ? 0 : full.byteSize()) + (tail == null ? 0 : tail.byteSize());
    }

    public PackedChunk moveTo(Workspace ws, Device device) {
        return new PackedChunk(full == null ? null : full.moveTo(ws, device), tail == null ? null : tail.moveTo(ws, device));
    }

    /** Groups of this chunk between global-order bounds, as row ranges of each piece (null where empty). */
    PackedChunk slice(long fullFrom, long fullTo, long tailFrom, long tailTo) {
        return new PackedChunk(full == null || fullFrom == fullTo ? null : full.rows(fullFrom, fullTo),
                tail == null || tailFrom == tailTo ? null : tail.rows(tailFrom, tailTo));
    }
}
