package dev.switchboard.auth;

import java.util.BitSet;

/** Checks on the shared JWT secret. */
final class Secrets {
    private Secrets() {}

    /**
     * True for a secret of few distinct bytes (a repeated character or short word), which is
     * guessable however long it is. 32 random bytes in hex have about 16 distinct characters.
     */
    static boolean weak(byte[] secret) {
        BitSet seen = new BitSet(256);
        for (byte b : secret) {
            seen.set(b & 0xff);
        }
        return seen.cardinality() < 12;
    }
}
