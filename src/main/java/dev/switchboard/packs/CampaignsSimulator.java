package dev.switchboard.packs;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Seed 004's dialer: accounts run campaigns over uploaded contact lists. The dialer takes queued
 * contacts up to each campaign's concurrency, an attempt rings and is answered or not, and the
 * contact is done, opted out, or queued again until it runs out of attempts. Campaigns pause,
 * resume and complete; queued contacts are sometimes removed (deleted); carrier records of
 * manual dials arrive late.
 */
final class CampaignsSimulator implements Simulator {
    /**
     * A dialer keeps its lines busy, so its history is short: the longest chart is the last hour
     * (the totals are all time).
     */
    static final Arrivals ARRIVALS = new Arrivals(Map.of("acme-outbound", 900.0, "globex-sales", 600.0),
            Arrivals.Shape.BUSINESS_HOURS, Duration.ofHours(2), Duration.ofSeconds(5));
    private static final List<String> CAMPAIGN_NAMES = List.of("Spring renewals", "Win-back Q3", "Webinar follow-up",
            "Solar leads", "Insurance quotes", "Event reminders");
    private static final List<String> FIRST_NAMES = List.of("Ana", "Ben", "Chloe", "Dev", "Eli", "Fatima", "Gus", "Hana");
    private static final Sim.Weighted UNANSWERED = Sim.Weighted.of("no_answer", 45, "busy", 20, "voicemail", 25, "failed", 10);
    private static final Sim.Weighted ANSWERED = Sim.Weighted.of("answered", 62, "converted", 30, "opted_out", 8);

    /** An attempt in flight, when its next transition is due, and how it will turn out. */
    private static final class Attempt {
        final Map<String, Object> row;
        final Map<String, Object> contact;
        final String outcome;
        Instant due;

        Attempt(Map<String, Object> row, Map<String, Object> contact, String outcome, Instant due) {
            this.row = row;
            this.contact = contact;
            this.outcome = outcome;
            this.due = due;
        }
    }

    private final Map<String, Map<String, Object>> campaigns = new LinkedHashMap<>();
    /** Per account, the names its campaigns have had (completed ones too: the all-time tables still name them). */
    private final Map<String, java.util.Set<String>> named = new java.util.HashMap<>();
    private final Map<String, Map<String, Object>> contacts = new LinkedHashMap<>();
    private final Map<String, Attempt> attempts = new LinkedHashMap<>();
    /** Attempts in flight per campaign, against its max_concurrent_calls. */
    private final Map<String, Integer> lines = new LinkedHashMap<>();

    @Override
    public Arrivals arrivals() {
        return ARRIVALS;
    }

    @Override
    public String pack() {
        return "campaigns";
    }

    @Override
    public void step(Instant now, Map<String, Integer> events, RandomGenerator random, Writer writer) {
        for (Attempt attempt : List.copyOf(attempts.values())) {
            // Every transition due by now, however long the step: a coarse backfill step must not hold lines longer.
            while (attempts.containsKey((String) attempt.row.get("id")) && !attempt.due.isAfter(now)) {
                advance(attempt, now, random, writer);
            }
        }
        Map<Object, Integer> remaining = new LinkedHashMap<>();
        contacts.values().forEach(c -> remaining.merge(c.get("campaign_id"), 1, Integer::sum));
        for (Map<String, Object> campaign : List.copyOf(campaigns.values())) {
            if (!remaining.containsKey(campaign.get("id"))) {
                complete(campaign, now, writer);
            }
        }
        for (String tenant : Sim.turns(events)) {
            long open = campaigns.values().stream().filter(c -> c.get("account_id").equals(tenant)).count();
            long running = campaigns.values().stream().filter(c -> c.get("account_id").equals(tenant) && c.get("status").equals("running")).count();
            long queued = 0;
            long dialable = 0;
            for (Map<String, Object> c : contacts.values()) {
                queued += c.get("account_id").equals(tenant) && c.get("status").equals("queued") ? 1 : 0;
                dialable += dialable(c, tenant, now) ? 1 : 0;
            }
            // An event spent on nothing to dial is a quiet gap in the attempts chart: with no contact due on a
            // free line, the dialer resumes a paused campaign rather than waiting for a rare resume.
            switch (Sim.choose(random, running < 2 && open < 5 ? 4 : 0, running > 0 && queued < 20 ? 2 : 0.2, dialable > 0 ? 8 : 0,
                    running > 0 ? 0.2 : 0, open > running ? (dialable == 0 ? 4 : 0.2) : 0, queued > 0 ? 0.3 : 0, 0.3)) {
                case 0 -> launch(tenant, now, random, writer);
                case 1 -> upload(tenant, now, random, writer);
                case 2 -> dial(tenant, now, random, writer);
                case 3 -> pause(tenant, now, random, writer);
                case 4 -> resume(tenant, now, random, writer);
                case 5 -> removeContact(tenant, random, writer);
                case 6 -> lateAttempt(tenant, now, random, writer);
                default -> { }
            }
        }
    }

    /**
     * Takes back running and paused campaigns, their queued contacts, and attempts in flight
     * (each goes on from its last change, holding its line until it ends).
     */
    @Override
    public void resume(Stored stored, RandomGenerator random) {
        stored.rows("campaigns", "status", List.of("draft", "scheduled", "running", "paused", "completed")).forEach(c -> {
            named.computeIfAbsent((String) c.get("account_id"), t -> new java.util.HashSet<>()).add((String) c.get("name"));
            if (List.of("running", "paused").contains((String) c.get("status"))) {
                campaigns.put((String) c.get("id"), c);
            }
        });
        for (Map<String, Object> c : stored.rows("campaign_contacts", "status", List.of("queued", "dialing"))) {
            if (campaigns.containsKey((String) c.get("campaign_id"))) {
                contacts.put((String) c.get("id"), c);
            }
        }
        for (Map<String, Object> row : stored.rows("call_attempts", "status", List.of("dialing", "ringing", "in_progress"))) {
            Map<String, Object> contact = contacts.get((String) row.get("contact_id"));
            if (contact == null) {
                continue;
            }
            boolean answered = row.get("status").equals("in_progress") || Sim.chance(random, 0.38);
            Instant due = Instant.parse((String) row.get("updated_at")).plus(Sim.seconds(random, 1, 30));
            attempts.put((String) row.get("id"), new Attempt(row, contact, answered ? ANSWERED.pick(random) : UNANSWERED.pick(random), due));
            lines.merge((String) row.get("campaign_id"), 1, Integer::sum);
        }
    }

    /** A name none of the account's campaigns has had, so tables that name campaigns tell them apart. */
    private String campaignName(String tenant, RandomGenerator random) {
        java.util.Set<String> taken = named.computeIfAbsent(tenant, t -> new java.util.HashSet<>());
        List<String> free = CAMPAIGN_NAMES.stream().filter(n -> !taken.contains(n)).toList();
        String name = free.isEmpty() ? Sim.pick(random, CAMPAIGN_NAMES) : Sim.pick(random, free);
        for (int n = 2; taken.contains(name); n++) {
            name = name.replaceFirst(" \\d+$", "") + " " + n;
        }
        taken.add(name);
        return name;
    }

    private void launch(String tenant, Instant now, RandomGenerator random, Writer writer) {
        Map<String, Object> campaign = Sim.row("id", Sim.id(random, "cmp"), "account_id", tenant,
                "name", campaignName(tenant, random), "status", "running",
                "dial_mode", Sim.pick(random, List.of("progressive", "predictive")),
                "max_concurrent_calls", (long) random.nextInt(3, 9), "max_attempts", 3L,
                "started_at", Sim.time(now), "completed_at", null, "created_at", Sim.time(now), "updated_at", Sim.time(now));
        campaigns.put((String) campaign.get("id"), campaign);
        Sim.put(writer, tenant, "campaigns", campaign);
        uploadTo(campaign, 15 + random.nextInt(20), now, random, writer);
    }

    private void upload(String tenant, Instant now, RandomGenerator random, Writer writer) {
        Sim.pick(random, campaigns.values(), c -> c.get("account_id").equals(tenant) && c.get("status").equals("running"))
                .ifPresent(c -> uploadTo(c, 5 + random.nextInt(11), now, random, writer));
    }

    private void uploadTo(Map<String, Object> campaign, int count, Instant now, RandomGenerator random, Writer writer) {
        String tenant = (String) campaign.get("account_id");
        List<Map<String, Object>> batch = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            Map<String, Object> contact = Sim.row("id", Sim.id(random, "ctc"), "account_id", tenant, "campaign_id", campaign.get("id"),
                    "phone_number", Sim.phone(random), "first_name", Sim.pick(random, FIRST_NAMES), "status", "queued",
                    "attempt_count", 0L, "last_outcome", null, "last_attempt_at", null, "next_attempt_at", Sim.time(now),
                    "created_at", Sim.time(now), "updated_at", Sim.time(now));
            contacts.put((String) contact.get("id"), contact);
            batch.add(new LinkedHashMap<>(contact));
        }
        // An upload is one import: one batch.
        writer.upsert(tenant, "campaign_contacts", batch);
    }

    /** A queued contact of {@code tenant} that is due and whose campaign runs with a free line. */
    private boolean dialable(Map<String, Object> c, String tenant, Instant now) {
        return c.get("account_id").equals(tenant) && c.get("status").equals("queued") && Sim.reached(c.get("next_attempt_at"), now)
                && hasLine((String) c.get("campaign_id"));
    }

    /** Takes the next due contact of a running campaign with a free line. */
    private void dial(String tenant, Instant now, RandomGenerator random, Writer writer) {
        Sim.pick(random, contacts.values(), c -> dialable(c, tenant, now))
                .ifPresent(contact -> {
                    long attemptNumber = (Long) contact.get("attempt_count") + 1;
                    contact.putAll(Sim.row("status", "dialing", "attempt_count", attemptNumber, "last_attempt_at", Sim.time(now),
                            "next_attempt_at", null, "updated_at", Sim.time(now)));
                    Sim.put(writer, tenant, "campaign_contacts", contact);
                    boolean answered = Sim.chance(random, 0.38);
                    Map<String, Object> row = attemptRow(tenant, (String) contact.get("campaign_id"), contact.get("id"),
                            (String) contact.get("phone_number"), attemptNumber, now, random);
                    lines.merge((String) contact.get("campaign_id"), 1, Integer::sum);
                    attempts.put((String) row.get("id"), new Attempt(row, contact,
                            answered ? ANSWERED.pick(random) : UNANSWERED.pick(random), now.plus(Sim.seconds(random, 1, 3))));
                    Sim.put(writer, tenant, "call_attempts", row);
                });
    }

    private boolean hasLine(String campaignId) {
        Map<String, Object> campaign = campaigns.get(campaignId);
        if (campaign == null || !campaign.get("status").equals("running")) {
            return false;
        }
        return lines.getOrDefault(campaignId, 0) < (Long) campaign.get("max_concurrent_calls");
    }

    private static Map<String, Object> attemptRow(String tenant, String campaign, Object contact, String phone, long number,
                                                  Instant started, RandomGenerator random) {
        return Sim.row("id", Sim.id(random, "att"), "account_id", tenant, "campaign_id", campaign, "contact_id", contact,
                "phone_number", phone, "agent_id", null, "attempt_number", number, "status", "dialing", "outcome", null,
                "sip_code", null, "started_at", Sim.time(started), "answered_at", null, "ended_at", null,
                "ring_seconds", null, "talk_seconds", null, "updated_at", Sim.time(started));
    }

    /** dialing -> ringing -> in_progress (answered) -> ended, or ringing -> ended unanswered. */
    private void advance(Attempt attempt, Instant now, RandomGenerator random, Writer writer) {
        Map<String, Object> row = attempt.row;
        String tenant = (String) row.get("account_id");
        boolean answered = ANSWERED.values().contains(attempt.outcome);
        switch ((String) row.get("status")) {
            case "dialing" -> {
                row.put("status", "ringing");
                attempt.due = attempt.due.plus(Sim.seconds(random, answered ? 4 : 8, answered ? 18 : 30));
            }
            case "ringing" -> {
                row.put("ring_seconds", Duration.between(Instant.parse((String) row.get("started_at")), attempt.due).toSeconds());
                if (answered) {
                    row.put("status", "in_progress");
                    row.put("answered_at", Sim.time(attempt.due));
                    row.put("agent_id", "agent-" + (1 + random.nextInt(6)));
                    attempt.due = attempt.due.plus(Sim.seconds(random, 20, 240));
                } else {
                    end(attempt, now, writer);
                    return;
                }
            }
            default -> {
                end(attempt, now, writer);
                return;
            }
        }
        row.put("updated_at", Sim.time(now));
        Sim.put(writer, tenant, "call_attempts", row);
    }

    private void end(Attempt attempt, Instant now, Writer writer) {
        Map<String, Object> row = attempt.row;
        String tenant = (String) row.get("account_id");
        attempts.remove((String) row.get("id"));
        lines.merge((String) row.get("campaign_id"), -1, Integer::sum);
        row.putAll(Sim.row("status", "ended", "outcome", attempt.outcome, "sip_code", sipCode(attempt.outcome),
                "ended_at", Sim.time(attempt.due), "updated_at", Sim.time(now)));
        if (row.get("answered_at") != null) {
            row.put("talk_seconds", Duration.between(Instant.parse((String) row.get("answered_at")), attempt.due).toSeconds());
        }
        Sim.put(writer, tenant, "call_attempts", row);
        settle(attempt.contact, attempt.outcome, attempt.due, now, writer);
    }

    private static long sipCode(String outcome) {
        return switch (outcome) {
            case "busy" -> 486L;
            case "no_answer" -> 480L;
            case "failed" -> 503L;
            default -> 200L;
        };
    }

    /** Where the contact goes after an attempt: done, opted out, retried later, or out of attempts. */
    private void settle(Map<String, Object> contact, String outcome, Instant ended, Instant now, Writer writer) {
        String status = switch (outcome) {
            case "answered", "converted" -> "completed";
            case "opted_out" -> "opted_out";
            default -> (Long) contact.get("attempt_count") >= 3 ? "exhausted" : "queued";
        };
        contact.putAll(Sim.row("status", status, "last_outcome", outcome, "updated_at", Sim.time(now),
                "next_attempt_at", status.equals("queued") ? Sim.time(ended.plus(Duration.ofMinutes(2))) : null));
        Sim.put(writer, (String) contact.get("account_id"), "campaign_contacts", contact);
        if (!status.equals("queued")) {
            contacts.remove((String) contact.get("id"));
        }
    }

    /** A running campaign whose contacts are all done is complete. */
    private void complete(Map<String, Object> campaign, Instant now, Writer writer) {
        if (campaign.get("status").equals("running")) {
            campaign.putAll(Sim.row("status", "completed", "completed_at", Sim.time(now), "updated_at", Sim.time(now)));
            Sim.put(writer, (String) campaign.get("account_id"), "campaigns", campaign);
            campaigns.remove((String) campaign.get("id"));
            lines.remove((String) campaign.get("id"));
        }
    }

    private void pause(String tenant, Instant now, RandomGenerator random, Writer writer) {
        Sim.pick(random, campaigns.values(), c -> c.get("account_id").equals(tenant) && c.get("status").equals("running"))
                .ifPresent(c -> setStatus(c, "paused", now, writer));
    }

    private void resume(String tenant, Instant now, RandomGenerator random, Writer writer) {
        Sim.pick(random, campaigns.values(), c -> c.get("account_id").equals(tenant) && c.get("status").equals("paused"))
                .ifPresent(c -> setStatus(c, "running", now, writer));
    }

    private static void setStatus(Map<String, Object> campaign, String status, Instant now, Writer writer) {
        campaign.put("status", status);
        campaign.put("updated_at", Sim.time(now));
        Sim.put(writer, (String) campaign.get("account_id"), "campaigns", campaign);
    }

    private void removeContact(String tenant, RandomGenerator random, Writer writer) {
        Sim.pick(random, contacts.values(), c -> c.get("account_id").equals(tenant) && c.get("status").equals("queued")).ifPresent(c -> {
            contacts.remove((String) c.get("id"));
            Sim.delete(writer, tenant, "campaign_contacts", (String) c.get("id"));
        });
    }

    /** A manual dial from an agent's desk phone, reported by the carrier after it ended. */
    private void lateAttempt(String tenant, Instant now, RandomGenerator random, Writer writer) {
        Sim.pick(random, List.copyOf(campaigns.values()), c -> c.get("account_id").equals(tenant)).ifPresent(campaign -> {
            Instant started = Sim.late(random, now);
            String outcome = Sim.chance(random, 0.5) ? ANSWERED.pick(random) : UNANSWERED.pick(random);
            Map<String, Object> row = attemptRow(tenant, (String) campaign.get("id"), null, Sim.phone(random), 1L, started, random);
            Instant ended = started.plus(Sim.seconds(random, 10, 90));
            row.putAll(Sim.row("status", "ended", "outcome", outcome, "sip_code", sipCode(outcome), "ended_at", Sim.time(ended),
                    "updated_at", Sim.time(now), "agent_id", "agent-" + (1 + random.nextInt(6))));
            Sim.put(writer, tenant, "call_attempts", row);
        });
    }
}
