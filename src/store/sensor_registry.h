/*
 * sensor_registry.h — the sensors whose signed batches acdd accepts (id, facility, Ed25519
 * public key), registered by an admin through the API (`POST /api/v1/sensors`) or the command
 * line (`acd sensor add`); both go through sensor_register, with its audit entry.
 */
#ifndef ACD_SENSOR_REGISTRY_H
#define ACD_SENSOR_REGISTRY_H

#include <stdbool.h>

#include "keyfile.h"
#include "txn.h"

/* Sensor ids and facilities go into record ids (Contract 4): [A-Za-z0-9._-], 1–63. */
bool sensor_name_valid(const char *s);

/* Validates and registers a sensor inside t. ACD_EINPUT names the field ("id: …"); *exists
 * tells an id already registered. */
enum acd_status sensor_register(struct txn *t, const char *actor, const char *actor_role,
                                const char *id, const char *facility, const char *public_key,
                                bool *exists, struct acd_error *e);

/* The registered, enabled sensor's facility and key; false when unknown or disabled. */
bool sensor_lookup(struct db_conn *c, const char *id, char facility[64],
                   uint8_t pk[KEY_PUBLIC_BYTES]);

#endif
