package dev.flashcomm.eval.cli;

import ai.djl.ndarray.types.DataType;
import dev.flashcomm.eval.sweep.BatchSize;
import dev.flashcomm.eval.sweep.Limit;
import dev.flashcomm.quant.Accumulation;
import dev.flashcomm.quant.CommFormat;
import dev.flashcomm.quant.allreduce.CommPath;
import dev.flashcomm.tp.comm.CommCast;
import dev.flashcomm.tp.comm.CommChoice;
import dev.flashcomm.tp.comm.CommImpl;
import dev.flashcomm.tp.model.MoeParallel;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Domain values parsed from the command line; a bad value is a usage error (exit 2) with a readable message. */
final class Converters {

    private Converters() {
    }

    /**
     * The COMM label results rows carry for a format as {@code --comm} takes it: {@code int8} is
     * {@code int8-asym-g128}, a scope suffix is kept ({@code int4[mlp@all]} is {@code int4-asym-g128[mlp@all]}).
     * A name that is no format is returned as given, so a message about missing rows can quote it.
     */
    static String commLabel(String s) {
        String t = s.strip();
        int bracket = t.indexOf('[');
        String format = bracket < 0 ? t : t.substring(0, bracket);
        try {
            return CommFormat.parse(format).name() + (bracket < 0 ? "" : t.substring(bracket));
        } catch (IllegalArgumentException e) {
            return t;
        }
    }

    static final class Format implements ITypeConverter<CommFormat> {
        @Override
        public CommFormat convert(String s) {
            try {
                return CommFormat.parse(s);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A preset name or a format name. */
    static final class Choice implements ITypeConverter<CommChoice> {
        @Override
        public CommChoice convert(String s) {
            try {
                return CommChoice.parse(s);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class Accumulate implements ITypeConverter<Accumulation> {
        @Override
        public Accumulation convert(String s) {
            try {
                return Accumulation.parse(s);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class Cast implements ITypeConverter<CommCast> {
        @Override
        public CommCast convert(String s) {
            try {
                return CommCast.parse(s);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class Path implements ITypeConverter<CommPath> {
        @Override
        public CommPath convert(String s) {
            try {
                return CommPath.valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + s + "' is not a communication path (use fake, packed or ring)");
            }
        }
    }

    static final class ComputeType implements ITypeConverter<DataType> {
        @Override
        public DataType convert(String s) {
            switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "fp32":
                case "float32":
                    return DataType.FLOAT32;
                case "fp16":
                case "float16":
                    return DataType.FLOAT16;
                default:
                    throw new TypeConversionException("'" + s + "' is not a compute dtype (use fp32 or fp16)");
            }
        }
    }

    static final class Batch implements ITypeConverter<BatchSize> {
        @Override
        public BatchSize convert(String s) {
            String t = s.trim().toLowerCase(Locale.ROOT);
            if (t.equals("auto")) {
                return BatchSize.AUTO;
            }
            try {
                int n = Integer.parseInt(t);
                if (n >= 1) {
                    return new BatchSize(n);
                }
            } catch (NumberFormatException e) {
                // falls through to the message below
            }
            throw new TypeConversionException("'" + s + "' is not a batch size (use a whole number >= 1, or auto)");
        }
    }

    static final class Impl implements ITypeConverter<CommImpl> {
        @Override
        public CommImpl convert(String s) {
            try {
                return CommImpl.parse(s);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code --limit} and {@code --max-windows}: 0, a whole number, or a fraction below 1 (lm-eval's rule). */
    static final class MoeParallelValue implements ITypeConverter<MoeParallel> {
        @Override
        public MoeParallel convert(String value) {
            try {
                return MoeParallel.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    static final class LimitValue implements ITypeConverter<Limit> {
        @Override
        public Limit convert(String s) {
            try {
                return Limit.parse("the value", s);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + s + "' is not a limit (use 0 for all, a whole number N for "
                        + "the first N, or a fraction below 1 such as 0.1)");
            }
        }
    }
}
