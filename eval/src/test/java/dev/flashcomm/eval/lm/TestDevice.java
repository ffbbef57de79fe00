package dev.flashcomm.eval.lm;

import ai.djl.Device;

/**
 * Where the decoding tests run: the CPU, or {@code -Dflashcomm.test.device=gpu} to run the same assertions on a GPU
 * (the lent machine runs them that way through the JUnit console; CI has no GPU).
 */
final class TestDevice {

    private TestDevice() {
    }

    static Device get() {
        return Device.fromName(System.getProperty("flashcomm.test.device", "cpu"));
    }
}
