/* SPDX-License-Identifier: MIT */
/* cJSON's scope-bound cleanup, defined once for every module that parses or builds JSON. */
#pragma once

#include <cjson/cJSON.h>

#include "util.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(cJSON *, cJSON_Delete)

/* Hands item on to array: true once the array owns it; false (item NULL, or the add failed)
 * with item deleted, so a caller never owns it afterwards either way. */
static inline bool json_array_take(cJSON *array, cJSON *item) {
        if (item && cJSON_AddItemToArray(array, item))
                return true;
        cJSON_Delete(item);
        return false;
}
