/* SPDX-License-Identifier: MIT */
/* The version docker-nsexec reports. Defined in the build's src/version.c, which meson's
 * vcs_tag fills in from contrib/version.sh at every build and rewrites only when the string
 * changes: a new commit recompiles that one file and relinks, nothing else. */
#pragma once

/* "1.2.0", "1.2.0-3-g0123456789ab", "0.1.0-g0123456789ab-dirty": see contrib/version.sh. */
extern const char nsx_version[];
/* "docker-nsexec/" and the version: the User-Agent of every engine request. */
extern const char nsx_user_agent[];
