/* hugemem.c — see hugemem.h. */
#include "hugemem.h"

#include <stdint.h>
#include <sys/mman.h>

void *huge_map(size_t size, size_t *mapped)
{
	size_t align = size >= HUGEMEM_PAGE ? HUGEMEM_PAGE : 0;
	size_t len = size + align;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	if (!align) {
		*mapped = len;
		return p;
	}
	/* Trim to a huge-page aligned start; the kernel backs such a range with 2 MiB pages. */
	char *start = (char *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
	if (start > p)
		munmap(p, (size_t)(start - p));
	size_t tail = (size_t)(p + len - (start + size));
	if (tail)
		munmap(start + size, tail);
	madvise(start, size, MADV_HUGEPAGE);
	*mapped = size;
	return start;
}

void huge_unmap(void *p, size_t mapped)
{
	if (p)
		munmap(p, mapped);
}
