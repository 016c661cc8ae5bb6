package dev.switchboard.packs;

import java.util.List;
import java.util.Optional;

/** The built-in packs, in seed order. The one place where a pack's parts are put together. */
public final class Packs {
    private Packs() {}

    private static final List<Pack> ALL = List.of(
            new Pack("bookings", "000 AI bookings", "d2d-xpress-tom",
                    new Pack.DefaultStream(List.of("bookings"), List.of("leads", "booking_calls", "appointments"), "leads"),
                    BookingsSimulator::new, BookingsCompat::register),
            new Pack("clinic", "001 dental clinic", "bright-smile-dental",
                    new Pack.DefaultStream(List.of("clinic", "clinic_availability"), List.of("clinic_appointments", "dentist_availability"),
                            "clinic_appointments"),
                    ClinicSimulator::new, ClinicCompat::register),
            new Pack("calls", "002 call center", "demo-call-center",
                    new Pack.DefaultStream(List.of("calls"), List.of("call_logs"), "call_logs"),
                    CallsSimulator::new, CallsCompat::register),
            new Pack("shop", "003 repair shop", "fixit-downtown",
                    new Pack.DefaultStream(List.of("shop"), List.of("tickets", "orders", "customers", "products"), "tickets"),
                    ShopSimulator::new, ShopCompat::register),
            new Pack("campaigns", "004 dialer campaigns", "acme-outbound",
                    new Pack.DefaultStream(List.of("campaigns"), List.of("campaigns", "call_attempts"), "campaigns"),
                    CampaignsSimulator::new, CampaignsCompat::register));

    /** Every built-in pack. */
    public static List<Pack> all() {
        return ALL;
    }

    /** The pack named {@code name}. */
    public static Optional<Pack> named(String name) {
        return ALL.stream().filter(p -> p.name().equals(name)).findFirst();
    }
}
