/*
 * cgroups_parse.c: the text formats of samsa-consumer-groups, pure
 * functions (t/unit/tools/test_cgroups_parse.c):
 *
 *   cg_parse_datetime   --to-datetime, Kafka's convertTimestamp
 *                       (yyyy-MM-dd'T'HH:mm:ss.SSS plus an optional zone)
 *   cg_parse_duration   --by-duration, java.time.Duration.parse's
 *                       [-]PnDTnHnMn[.n]S
 *   cg_csv_line         one line of --export / --from-file's CSV
 *
 * Threads: any.  Memory: nothing is allocated.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tools/cgroups.h"

/* Kafka's convertTimestamp: yyyy-MM-dd'T'HH:mm:ss.SSS, then an optional
 * zone (Z, +hh, +hhmm, +hh:mm; none means UTC).  -1 if unparsable. */
int
cg_parse_datetime(const char *s, int64_t *ms)
{
    int y, mo, d, h, mi, sec, frac, n = 0, zh = 0, zm = 0;
    const char *z;
    struct tm tm;
    int64_t t;

    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%3d%n", &y, &mo, &d, &h, &mi,
               &sec, &frac, &n) != 7 || n == 0)
        return -1;
    z = s + n;
    if (*z != '\0' && strcmp(z, "Z") != 0) {
        int sign = *z == '-' ? -1 : 1;
        if (*z != '+' && *z != '-')
            return -1;
        z++;
        if (strlen(z) == 2 && sscanf(z, "%2d", &zh) == 1)
            ;
        else if (strlen(z) == 4 && sscanf(z, "%2d%2d", &zh, &zm) == 2)
            ;
        else if (strlen(z) == 5 && sscanf(z, "%2d:%2d", &zh, &zm) == 2)
            ;
        else
            return -1;
        zh *= sign;
        zm *= sign;
    }
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    t = (int64_t)timegm(&tm);
    *ms = (t - (int64_t)zh * 3600 - (int64_t)zm * 60) * 1000 + frac;
    return 0;
}

/* java.time.Duration.parse of [-]PnDTnHnMn[.n]S, in ms; -1 if not. */
int
cg_parse_duration(const char *s, int64_t *ms)
{
    int64_t total = 0;
    int neg = 0, in_time = 0, any = 0;

    if (*s == '-' || *s == '+')
        neg = *s++ == '-';
    if (*s != 'P' && *s != 'p')
        return -1;
    for (s++; *s != '\0';) {
        char *end;
        double v;
        if (*s == 'T' || *s == 't') {
            if (in_time)
                return -1;
            in_time = 1;
            s++;
            continue;
        }
        v = strtod(s, &end);
        if (end == s)
            return -1;
        switch (*end) {
        case 'D': case 'd': if (in_time) return -1; v *= 86400000; break;
        case 'H': case 'h': if (!in_time) return -1; v *= 3600000; break;
        case 'M': case 'm': if (!in_time) return -1; v *= 60000; break;
        case 'S': case 's': if (!in_time) return -1; v *= 1000; break;
        default: return -1;
        }
        total += (int64_t)v;
        any = 1;
        s = end + 1;
    }
    if (!any)
        return -1;
    *ms = neg ? -total : total;
    return 0;
}

/* One CSV line: topic,partition,offset (nf 3) or group,topic,... (nf
 * 4); 0 if it parses. */
int
cg_csv_line(char *line, int nf, char **group, char **topic, int32_t *p,
            int64_t *off)
{
    char *f[4], *end;
    int n = 0;

    line[strcspn(line, "\r\n")] = '\0';
    for (char *s = line; n < 4; n++) {
        f[n] = s;
        s = strchr(s, ',');
        if (s == NULL) {
            n++;
            break;
        }
        *s++ = '\0';
    }
    if (n != nf)
        return -1;
    *group = nf == 4 ? f[0] : NULL;
    *topic = f[nf - 3];
    *p = (int32_t)strtol(f[nf - 2], &end, 10);
    if (*f[nf - 2] == '\0' || *end != '\0')
        return -1;
    *off = strtoll(f[nf - 1], &end, 10);
    return *f[nf - 1] == '\0' || *end != '\0' ? -1 : 0;
}
