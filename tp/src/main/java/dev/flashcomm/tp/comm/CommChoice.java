package dev.flashcomm.tp.comm;

import dev.flashcomm.quant.CommFormat;

/**
 * What {@code --comm} names: a preset, or a plain format (whose other choices are the defaults).
 *
 * @param preset the preset, or null for a plain format
 * @param format the format (the preset's when there is one)
 */
public record CommChoice(CommPreset preset, CommFormat format) {

    public CommChoice {
        if (format == null) {
            throw new IllegalArgumentException("format is required");
        }
        if (preset != null && !preset.format().equals(format)) {
            throw new IllegalArgumentException("preset " + preset.name() + " has format " + preset.format());
        }
    }

    public static CommChoice of(CommFormat format) {
        return new CommChoice(null, format);
    }

    /**
     * A preset name or a format name (case-insensitive).
     *
     * @throws IllegalArgumentException naming the input, the presets and the accepted formats
     */
    public static CommChoice parse(String name) {
        var preset = CommPresets.find(name);
        if (preset.isPresent()) {
            return new CommChoice(preset.get(), preset.get().format());
        }
        try {
            return of(CommFormat.parse(name));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + "; or a preset: " + CommPresets.names());
        }
    }

    /** The preset's name, or the format's canonical name. */
    public String name() {
        return preset != null ? preset.name() : format.name();
    }

    @Override
    public String toString() {
        return name();
    }
}
