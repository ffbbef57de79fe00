package dev.flashcomm.tp.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The keys and values of an incremental decode, per layer and per rank: each rank caches only its own KV heads, on
 * its own device, as {@code [B, kvHeads, capacity, d]} in the compute dtype. The capacity is fixed when the cache is
 * made, so its memory is known up front and never grows; closing the cache frees all of it.
 */
final class KvCache implements AutoCloseable {

    /** One rank's cache of one layer, and where the next positions go. */
    record Slot(NDArray keys, NDArray values, int offset) {
    }

    private final Map<Device, NDManager> managers = new LinkedHashMap<>();
    private final NDArray[][] keys;
    private final NDArray[][] values;
    private final int capacity;

    /**
     * @param owners      the model's manager per device; the cache lives in sub-managers of them
     * @param rankDevices each rank's device
     * @param kvHeads     each rank's number of KV heads
     */
    KvCache(Map<Device, NDManager> owners, List<Device> rankDevices, int[] kvHeads, int layers, int batch,
            int capacity, int headDim, DataType type) {
        this.capacity = capacity;
        this.keys = new NDArray[layers][rankDevices.size()];
        this.values = new NDArray[layers][rankDevices.size()];
        try {
            for (int r = 0; r < rankDevices.size(); r++) {
                Device d = rankDevices.get(r);
                NDManager m = managers.computeIfAbsent(d, dev -> owners.get(dev).newSubManager());
                Shape shape = new Shape(batch, kvHeads[r], capacity, headDim);
                for (int layer = 0; layer < layers; layer++) {
                    keys[layer][r] = m.zeros(shape, type);
                    values[layer][r] = m.zeros(shape, type);
                }
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    int capacity() {
        return capacity;
    }

    Slot slot(int layer, int rank, int offset) {
        return new Slot(keys[layer][rank], values[layer][rank], offset);
    }

    /** Bytes of device memory the cache holds, all ranks together. */
    long bytes() {
        long total = 0;
        for (NDArray[] layer : keys) {
            for (NDArray a : layer) {
                total += 2 * a.size() * a.getDataType().getNumOfBytes();
            }
        }
        return total;
    }

    @Override
    public void close() {
        managers.values().forEach(NDManager::close);
    }
}
