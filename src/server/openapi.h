/*
 * openapi.h — the OpenAPI 3 document of acdd's API, built from the route table (routes.c) and
 * the request schemas (openapi.c), so no endpoint can exist without being described.
 */
#ifndef ACD_OPENAPI_H
#define ACD_OPENAPI_H

#include <jansson.h>

/* A new reference to the whole document. */
json_t *openapi_document(void);

#endif
