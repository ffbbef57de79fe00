package dev.flashcomm.tp.checkpoint;

import java.util.Optional;

/**
 * The safetensors dtypes the loader accepts, with their width on disk and their width once staged for the engine:
 * BF16 is widened to fp32 on the host (the engine has no BF16), F16 and F32 are staged as they are.
 */
public enum StoredType {
    F32(4, 4),
    F16(2, 2),
    BF16(2, 4);

    private final int storedBytes;
    private final int stagedBytes;

    StoredType(int storedBytes, int stagedBytes) {
        this.storedBytes = storedBytes;
        this.stagedBytes = stagedBytes;
    }

    /** Bytes per element in the file. */
    public int storedBytes() {
        return storedBytes;
    }

    /** Bytes per element after {@link StoredTensor#stageRows}: 4 for fp32 (F32, BF16), 2 for fp16 (F16). */
    public int stagedBytes() {
        return stagedBytes;
    }

    /** True when staged values are IEEE fp16 bits, false when they are fp32. */
    public boolean stagedAsFp16() {
        return this == F16;
    }

    static Optional<StoredType> parse(String dtype) {
        for (StoredType t : values()) {
            if (t.name().equals(dtype)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }
}
