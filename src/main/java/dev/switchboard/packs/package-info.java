/**
 * Packs: the seed systems shipped built in. Each pack is a folder of resources
 * ({@code packs/<name>/datasets.yaml}, {@code packs/<name>/dashboards/*.yaml}, migrations under
 * {@code db/<vendor>/}) plus a {@link dev.switchboard.packs.Simulator} of its traffic.
 */
package dev.switchboard.packs;
