package dev.flashcomm.tp.model;

import ai.djl.ndarray.NDArray;
import dev.flashcomm.tp.checkpoint.LayerTensor;
import dev.flashcomm.tp.checkpoint.TensorRole;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/**
 * One decoder layer's full (unsharded) checkpoint tensors on the primary device, in the compute dtype (the router
 * in fp32), as the checkpoint stores them ({@code [out, in]}), found by role; a role the layer lacks gives null.
 */
final class LayerTensors {

    private final Map<TensorRole, NDArray> layer = new EnumMap<>(TensorRole.class);
    private final Map<Integer, Map<TensorRole, NDArray>> experts = new HashMap<>();

    void put(LayerTensor spec, NDArray value) {
        (spec.expert() < 0 ? layer : experts.computeIfAbsent(spec.expert(), e -> new EnumMap<>(TensorRole.class)))
                .put(spec.role(), value);
    }

    NDArray get(TensorRole role) {
        return layer.get(role);
    }

    NDArray expert(int expert, TensorRole role) {
        Map<TensorRole, NDArray> m = experts.get(expert);
        return m == null ? null : m.get(role);
    }
}
