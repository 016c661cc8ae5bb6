package dev.switchboard.packs;

import java.util.List;
import java.util.Optional;

/** The traffic simulators of the built-in packs. Simulators keep state, so each call makes new ones. */
public final class Simulators {
    private Simulators() {}

    /** One fresh simulator per pack, in seed order (bookings, clinic, calls, shop, campaigns). */
    public static List<Simulator> all() {
        return Packs.all().stream().map(p -> p.simulator().get()).toList();
    }

    /** A fresh simulator for the pack named {@code pack}, if it has one. */
    public static Optional<Simulator> forPack(String pack) {
        return Packs.named(pack).map(p -> p.simulator().get());
    }

    /** The names of the packs that have simulators. */
    public static List<String> packs() {
        return Packs.all().stream().map(Pack::name).toList();
    }
}
