package dev.flashcomm.tp.comm.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.HashMap;
import java.util.Map;

/**
 * The native memory of one engine all-reduce: a sub-manager of rank 0's manager, with one child per device the
 * partials live on. Every temporary belongs to it, so closing it frees them all; only the array passed to
 * {@link #keep} survives, handed to rank 0's manager.
 *
 * <p>Invariant the algorithms rely on: an array's manager is on the array's device. DJL's {@code add(Number)},
 * {@code clip} etc. create their scalar on the manager's device, so a mismatch would put a cuda:0 scalar next to a
 * cuda:1 tensor. {@link #adopt} and {@link #moveTo} keep the invariant.
 *
 * <p>One per call, used from one thread; not thread-safe.
 */
public final class Workspace implements AutoCloseable {

    private final NDManager root;
    private final Device home;
    private final Map<Device, NDManager> byDevice = new HashMap<>();
    private final Map<Device, NDArray> powersOfTwo = new HashMap<>();

    private Workspace(NDManager root, Device home) {
        this.root = root;
        this.home = home;
        byDevice.put(home, root);
    }

    /** A workspace whose result will belong to {@code owner}'s manager, on {@code owner}'s device. Close it. */
    public static Workspace newUnder(NDArray owner) {
        Device device = owner.getDevice();
        return new Workspace(owner.getManager().newSubManager(device), device);
    }

    /** Rank 0's device, where results are returned. */
    public Device home() {
        return home;
    }

    /** The workspace's manager for {@code device}. */
    public NDManager on(Device device) {
        return byDevice.computeIfAbsent(device, root::newSubManager);
    }

    /**
     * An fp32 {@code [rows, cols]} view (or, for fp16, a converted copy) of a caller's array, owned by this
     * workspace; the caller's array and its manager are not touched.
     */
    public NDArray adopt(NDArray callerArray, int rows, int cols) {
        // reshape always makes a new handle (a view when contiguous); moving that handle, not the caller's array,
        // makes every later op's result land in the workspace
        NDArray view = callerArray.reshape(rows, cols);
        view.attach(on(callerArray.getDevice()));
        return view.toType(DataType.FLOAT32, false);
    }

    /** {@code a} on {@code device}: itself when already there, else a device-to-device copy owned by this workspace. */
    public NDArray moveTo(NDArray a, Device device) {
        if (a.getDevice().equals(device)) {
            return a;
        }
        NDArray moved = a.toDevice(device, false);
        moved.attach(on(device));
        return moved;
    }

    /** A 0-d fp32 constant on {@code device} (a tensor, so that PyTorch divides by it instead of multiplying by 1/v). */
    public NDArray scalar(float value, Device device) {
        return on(device).full(new ai.djl.ndarray.types.Shape(), value, ai.djl.ndarray.types.DataType.FLOAT32);
    }

    /** {@code 2^(k - 149)} for k = 0..277 in fp64 on {@code device}, uploaded once per workspace and device. */
    public NDArray powersOfTwo(Device device) {
        return powersOfTwo.computeIfAbsent(device, d -> on(d).create(EngineRounding.powersOfTwoTable()));
    }

    /** Hands {@code result} to rank 0's manager (the parent of this workspace); the caller then owns it. */
    public NDArray keep(NDArray result) {
        return root.ret(result);
    }

    @Override
    public void close() {
        root.close();
    }
}
