package io.lrok.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class NamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "0", "violet-mole", "violet-mole-07", "a-b", "a--b", "abc--d", "123", "x-1-y",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
    void validSubdomains(String name) {
        assertThat(name.length()).isLessThanOrEqualTo(Names.MAX_SUBDOMAIN_LENGTH);
        assertThat(Names.isValidSubdomain(name)).isTrue();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"-a", "a-", "-", "A", "Violet-mole", "a_b", "a.b", "a b", " a", "é", "ａ", "a\u0000",
        "xn--pple-43d", "ab--c", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
    void invalidSubdomains(String name) {
        assertThat(Names.isValidSubdomain(name)).isFalse();
    }

    @Test
    void theWordListsAreWhatTheyClaim() {
        for (List<String> words : List.of(Names.ADJECTIVES, Names.ANIMALS)) {
            assertThat(words).doesNotHaveDuplicates().allMatch(w -> w.matches("[a-z]{2,10}"));
        }
        assertThat(Names.ADJECTIVES).hasSize(Names.ADJECTIVE_COUNT);
        assertThat(Names.ANIMALS).hasSize(Names.ANIMAL_COUNT);
    }

    @Test
    void randomNamesAreValidReadableAndVaried() {
        SplittableRandom rng = new SplittableRandom(7);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1_000; i++) {
            String name = Names.random(rng);
            assertThat(name).matches("[a-z]+-[a-z]+");
            assertThat(Names.isValidSubdomain(name)).isTrue();
            seen.add(name);
        }
        assertThat(seen).hasSizeGreaterThan(900); // 1,000 draws from 10,000 names: ~952 distinct expected
    }

    @Test
    void suffixedNamesHaveTwoDigits() {
        Random rng = new Random(11);
        Set<String> suffixes = new HashSet<>();
        for (int i = 0; i < 5_000; i++) {
            String name = Names.random(rng, true);
            assertThat(name).matches("[a-z]+-[a-z]+-[0-9]{2}");
            assertThat(Names.isValidSubdomain(name)).isTrue();
            suffixes.add(name.substring(name.length() - 2));
        }
        assertThat(suffixes).hasSize(Names.SUFFIX_RANGE);
    }

    @Test
    void everyWordIsUsedAndTheSameSeedGivesTheSameNames() {
        SplittableRandom rng = new SplittableRandom(3);
        Set<String> adjectives = new HashSet<>();
        Set<String> animals = new HashSet<>();
        for (int i = 0; i < 20_000; i++) {
            String[] parts = Names.random(rng).split("-");
            adjectives.add(parts[0]);
            animals.add(parts[1]);
        }
        assertThat(adjectives).hasSize(Names.ADJECTIVE_COUNT);
        assertThat(animals).hasSize(Names.ANIMAL_COUNT);
        List<String> a = IntStream.range(0, 5).mapToObj(i -> Names.random(new SplittableRandom(i))).toList();
        List<String> b = IntStream.range(0, 5).mapToObj(i -> Names.random(new SplittableRandom(i))).toList();
        assertThat(a).isEqualTo(b);
    }
}
