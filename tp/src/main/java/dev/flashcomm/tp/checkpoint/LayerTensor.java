package dev.flashcomm.tp.checkpoint;

/**
 * One tensor a decoder layer reads: its role, the expert it belongs to (-1 for none), its checkpoint name and the
 * shape config.json implies. {@link DecoderFamily#layerTensors} lists them once; loading and checking both walk
 * that one list, so the names are never written twice.
 */
public record LayerTensor(TensorRole role, int expert, String name, long... shape) {

    public LayerTensor {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }
}
