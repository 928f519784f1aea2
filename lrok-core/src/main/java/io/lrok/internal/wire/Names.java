package io.lrok.internal.wire;

import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Subdomain names: the check every relay applies to a wanted subdomain, and readable random ones such as
 * {@code violet-mole}: {@value #ADJECTIVE_COUNT} adjectives × {@value #ANIMAL_COUNT} animals = 10,000 names, or a
 * million with a two-digit suffix ({@code violet-mole-42}). Random names are easy to read aloud, not secret: a
 * relay that wants unguessable hostnames needs more entropy than this.
 */
public final class Names {

    /** The longest DNS label, and so the longest subdomain. */
    public static final int MAX_SUBDOMAIN_LENGTH = 63;

    /** How many adjectives random names choose from. */
    public static final int ADJECTIVE_COUNT = 100;

    /** How many animals random names choose from. */
    public static final int ANIMAL_COUNT = 100;

    /** The range of the numeric suffix: {@code 00} to {@code 99}. */
    public static final int SUFFIX_RANGE = 100;

    static final List<String> ADJECTIVES = List.of(
            "amber", "azure", "bold", "brave", "breezy", "bright", "brisk", "calm", "candid", "cheerful",
            "clever", "coral", "cosmic", "cozy", "crimson", "crisp", "curious", "dapper", "daring", "dazzling",
            "eager", "earnest", "electric", "emerald", "fancy", "fearless", "fluffy", "frosty", "gentle", "giddy",
            "gleaming", "golden", "graceful", "grand", "happy", "hardy", "hazel", "hearty", "honest", "humble",
            "icy", "indigo", "jade", "jolly", "jovial", "keen", "kind", "lively", "lucky", "lunar",
            "magenta", "mellow", "merry", "mighty", "mint", "misty", "modest", "nimble", "noble", "olive",
            "peppy", "plucky", "polite", "proud", "quick", "quiet", "radiant", "rapid", "rosy", "ruby",
            "rustic", "sandy", "scarlet", "serene", "shiny", "silent", "silver", "sleek", "smooth", "snowy",
            "solar", "sparkly", "spry", "steady", "stellar", "sturdy", "sunny", "swift", "tidy", "topaz",
            "tranquil", "trusty", "upbeat", "velvet", "vivid", "violet", "warm", "witty", "zany", "zesty");

    static final List<String> ANIMALS = List.of(
            "alpaca", "badger", "beaver", "bison", "bobcat", "camel", "caribou", "cheetah", "chipmunk", "cobra",
            "condor", "cougar", "coyote", "crane", "cricket", "dingo", "dolphin", "donkey", "dove", "eagle",
            "egret", "elk", "falcon", "ferret", "finch", "flamingo", "fox", "gazelle", "gecko", "gerbil",
            "gibbon", "giraffe", "goose", "gopher", "gorilla", "hamster", "hare", "hedgehog", "heron", "hippo",
            "ibex", "iguana", "impala", "jackal", "jaguar", "kestrel", "kiwi", "koala", "lemur", "leopard",
            "llama", "lobster", "lynx", "macaw", "magpie", "manatee", "marmot", "meerkat", "mink", "mole",
            "moose", "narwhal", "newt", "ocelot", "octopus", "okapi", "orca", "osprey", "otter", "owl",
            "panda", "panther", "parrot", "pelican", "penguin", "pigeon", "puffin", "puma", "quail", "rabbit",
            "raccoon", "raven", "reindeer", "robin", "salmon", "seal", "shark", "sloth", "sparrow", "squid",
            "stork", "swan", "tapir", "tiger", "toucan", "turtle", "walrus", "wombat", "yak", "zebra");

    private Names() {
    }

    /**
     * Whether {@code name} may be a subdomain: one DNS label of 1 to {@value #MAX_SUBDOMAIN_LENGTH} characters,
     * lowercase ASCII letters, digits and hyphens, neither starting nor ending with a hyphen. Uppercase is refused
     * rather than folded, so that one name has one spelling in logs and URLs. Hyphens in both the third and fourth
     * place are refused too: RFC 5891 reserves those labels, and {@code xn--} ones display as Unicode in browsers,
     * which would let a tunnel pose as a look-alike of another name.
     *
     * @param name a wanted subdomain, may be null
     * @return whether it is valid
     */
    public static boolean isValidSubdomain(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_SUBDOMAIN_LENGTH) return false;
        if (name.charAt(0) == '-' || name.charAt(name.length() - 1) == '-') return false;
        if (name.length() >= 4 && name.charAt(2) == '-' && name.charAt(3) == '-') return false;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
        }
        return true;
    }

    /** @param rng the source of randomness @return a random name such as {@code violet-mole} */
    public static String random(RandomGenerator rng) {
        return random(rng, false);
    }

    /**
     * @param rng        the source of randomness
     * @param withSuffix whether to append a two-digit suffix, for a hundred times as many names
     * @return a random name such as {@code violet-mole} or {@code violet-mole-07}
     */
    public static String random(RandomGenerator rng, boolean withSuffix) {
        String name = ADJECTIVES.get(rng.nextInt(ADJECTIVES.size())) + "-" + ANIMALS.get(rng.nextInt(ANIMALS.size()));
        if (!withSuffix) return name;
        int suffix = rng.nextInt(SUFFIX_RANGE);
        return name + (suffix < 10 ? "-0" : "-") + suffix;
    }
}
