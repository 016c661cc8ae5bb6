/**
 * Datasets: the tables dashboards read, each with a key, a tenant and a time column, their typed
 * columns, and the validation every ingested row passes before anything is written.
 */
package dev.switchboard.dataset;
