package dev.fidelio.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DidYouMeanTest {
    @Test
    void suggestsTheClosestWordForTyposAndSwaps() {
        assertEquals(Optional.of("trainable"), DidYouMean.closest("trainabel", List.of("type", "trainable", "use_pretrained")));
        assertEquals(Optional.of("learning_rate"), DidYouMean.closest("learningrate", List.of("epochs", "learning_rate")));
        assertEquals(Optional.of("cosine"), DidYouMean.closest("Cosine", List.of("linear", "cosine", "exponential")));
    }

    @Test
    void staysQuietWhenNothingIsClose() {
        assertEquals(Optional.empty(), DidYouMean.closest("banana", List.of("epochs", "batch_size")));
    }
}
