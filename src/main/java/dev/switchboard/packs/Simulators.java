package dev.switchboard.packs;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** The traffic simulators of the built-in packs. Simulators keep state, so each call makes new ones. */
public final class Simulators {
    private static final List<Supplier<Simulator>> ALL = List.of(BookingsSimulator::new, ClinicSimulator::new,
            CallsSimulator::new, ShopSimulator::new, CampaignsSimulator::new);

    private Simulators() {}

    /** One fresh simulator per pack, in seed order (bookings, clinic, calls, shop, campaigns). */
    public static List<Simulator> all() {
        return ALL.stream().map(Supplier::get).toList();
    }

    /** A fresh simulator for the pack named {@code pack}, if it has one. */
    public static Optional<Simulator> forPack(String pack) {
        return all().stream().filter(s -> s.pack().equals(pack)).findFirst();
    }

    /** The names of the packs that have simulators. */
    public static List<String> packs() {
        return all().stream().map(Simulator::pack).toList();
    }
}
