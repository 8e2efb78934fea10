/* ckpt_drop.c - copies a format-4 checkpoint without one section, so that the
 * same weights can be scored without it: `ckpt_drop IN OUT CALB` gives the
 * uncalibrated model (the calibration module loads identity when CALB is
 * absent), for the "before" column of scripts/calibration_ece.sh.
 * usage: ckpt_drop IN.ckpt OUT.ckpt TAG */
#include <stdio.h>
#include <string.h>

#include "ckpt.h"
#include "status.h"

int main(int argc, char **argv)
{
    if (argc != 4 || strlen(argv[3]) != 4) {
        fprintf(stderr, "usage: ckpt_drop IN.ckpt OUT.ckpt TAG (4 characters)\n");
        return 2;
    }
    Status st = {0};
    CkptReader r;
    if (ckpt_open(&r, argv[1], &st)) {
        fprintf(stderr, "ckpt_drop: %s\n", st.msg);
        return 1;
    }
    if (r.version < 4) {
        fprintf(stderr, "ckpt_drop: %s: format %u has no section directory to edit\n", argv[1], r.version);
        ckpt_close(&r);
        return 1;
    }
    CkptWriter w;
    ckpt_writer_init(&w);
    int dropped = 0;
    for (int i = 0; i < r.n; i++) {
        char tag[5] = {0};
        memcpy(tag, r.dir[i].tag, 4);
        if (!strcmp(tag, argv[3])) {
            dropped++;
            continue;
        }
        ckpt_section(&w, tag, r.dir[i].version);
        ckpt_section_ref(&w, r.map + r.dir[i].offset, r.dir[i].length);
    }
    int rc = ckpt_write(&w, argv[2], &st);
    if (rc) fprintf(stderr, "ckpt_drop: %s\n", st.msg);
    else if (!dropped) fprintf(stderr, "ckpt_drop: %s: no section %s (copied as it was)\n", argv[1], argv[3]);
    ckpt_writer_free(&w);
    ckpt_close(&r);
    return rc ? 1 : 0;
}
