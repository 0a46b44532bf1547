package dev.fidelio.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsWriterTest {
    @Test
    void writtenFileReadsBackExactly(@TempDir Path dir) {
        var a = new NamedTensor("combiner.layers.0.dense.weight", new long[] {2, 3}, new float[] {1, -2, 3.5f, 1e-30f, 0, 7});
        var b = new NamedTensor("scalar", new long[0], new float[] {42});
        var c = new NamedTensor("empty", new long[] {0, 4}, new float[0]);
        Path file = dir.resolve("model.safetensors");
        SafetensorsWriter.write(file, new StateDict(List.of(a, b, c)), Map.of("format", "pt"));
        var back = SafetensorsReader.read(file);
        assertEquals(List.of(a.name(), b.name(), c.name()), List.copyOf(back.tensors().names()));
        assertArrayEquals(a.data(), back.tensors().require(a.name()).data());
        assertArrayEquals(new long[] {2, 3}, back.tensors().require(a.name()).shape());
        assertArrayEquals(b.data(), back.tensors().require("scalar").data());
        assertEquals("pt", back.metadata().get("format"));
        assertFalse(Files.exists(dir.resolve("model.safetensors.tmp")));
    }
}
