/* dist.c - dist.h over MPI (make MPI=1). Calls return errors instead of
 * aborting inside MPI, so that a process that lost contact with another (it
 * died, or its host did) says so and takes the whole job down at once rather
 * than waiting in a collective; mpirun then ends every process. */
#include "dist.h"

#ifdef ATTNCLF_MPI

#include <limits.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mem.h"

#ifdef _OPENMP
#include <omp.h>
#endif

static int dist_on;
static int dist_rank_ = 0, dist_size_ = 1;

/* An MPI call failed: another process is gone or the network is. */
static void dist_check(int rc, const char *what)
{
    if (rc == MPI_SUCCESS) return;
    char err[MPI_MAX_ERROR_STRING];
    int n = 0;
    MPI_Error_string(rc, err, &n);
    char msg[MPI_MAX_ERROR_STRING + 200];
    snprintf(msg, sizeof msg, "rank %d: %s failed: %s (did another process of the job die?); ending the job",
             dist_rank_, what, err);
    dist_abort(msg, 1);
}

/* Launched by mpirun (Open MPI, or a PMI launcher), not run by hand. */
static int dist_launched(void)
{
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") || getenv("PMI_RANK");
}

int dist_init(int *argc, char ***argv, Status *st)
{
    if (!dist_launched()) return 0;
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return status_error(st, "cannot join the MPI job (MPI_Init_thread failed)");
    dist_on = 1;
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &dist_rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &dist_size_);
    if (provided < MPI_THREAD_FUNNELED)
        return status_error(st, "this MPI does not allow threads (MPI_THREAD_FUNNELED)");
    MPI_Comm host;
    int local = 1;
    if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &host) == MPI_SUCCESS) {
        MPI_Comm_size(host, &local);
        MPI_Comm_free(&host);
    }
#ifdef _OPENMP
    /* train.threads 0 means all cores: shared among this host's processes. */
    if (!getenv("OMP_NUM_THREADS")) {
        int each = omp_get_num_procs() / local;
        omp_set_num_threads(each > 0 ? each : 1);
    }
#else
    (void)local;
#endif
    return 0;
}

void dist_finalize(void)
{
    if (dist_on) MPI_Finalize();
    dist_on = 0;
}

int dist_rank(void)
{
    return dist_rank_;
}

int dist_size(void)
{
    return dist_size_;
}

int dist_any(int flag)
{
    int v = flag != 0;
    if (dist_size_ > 1) dist_check(MPI_Allreduce(MPI_IN_PLACE, &v, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD), "MPI_Allreduce");
    return v;
}

int dist_max(int v)
{
    if (dist_size_ > 1) dist_check(MPI_Allreduce(MPI_IN_PLACE, &v, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD), "MPI_Allreduce");
    return v;
}

void dist_allgather(const void *mine, size_t n, void *all)
{
    if (dist_size_ == 1) {
        if (n) memmove(all, mine, n);
        return;
    }
    if (n > INT_MAX) dist_abort("dist_allgather: a message above 2 GiB", 1);
    dist_check(MPI_Allgather(mine, (int)n, MPI_BYTE, all, (int)n, MPI_BYTE, MPI_COMM_WORLD), "MPI_Allgather");
}

void dist_allgatherv(const void *mine, void *all, const size_t *counts)
{
    if (dist_size_ == 1) {
        if (counts[0]) memmove(all, mine, counts[0]);
        return;
    }
    int *cnt = xmalloc((size_t)dist_size_ * sizeof *cnt), *at = xmalloc((size_t)dist_size_ * sizeof *at);
    size_t total = 0;
    for (int r = 0; r < dist_size_; r++) {
        if (counts[r] > INT_MAX || total > INT_MAX) dist_abort("dist_allgatherv: messages above 2 GiB", 1);
        cnt[r] = (int)counts[r];
        at[r] = (int)total;
        total += counts[r];
    }
    dist_check(MPI_Allgatherv(mine, cnt[dist_rank_], MPI_BYTE, all, cnt, at, MPI_BYTE, MPI_COMM_WORLD),
               "MPI_Allgatherv");
    free(cnt);
    free(at);
}

void dist_wait_all(void)
{
    if (dist_size_ == 1) return;
    MPI_Request req;
    dist_check(MPI_Ibarrier(MPI_COMM_WORLD, &req), "MPI_Ibarrier");
    for (;;) {
        int done = 0;
        dist_check(MPI_Test(&req, &done, MPI_STATUS_IGNORE), "MPI_Test");
        if (done) return;
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
}

void dist_abort(const char *msg, int code)
{
    fprintf(stderr, "attnclf: %s\n", msg);
    fflush(stderr);
    if (dist_on) MPI_Abort(MPI_COMM_WORLD, code);
    exit(code);
}

#else
typedef int dist_mpi_unused; /* the plain build uses dist_none.c */
#endif
