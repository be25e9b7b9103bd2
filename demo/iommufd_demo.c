// SPDX-License-Identifier: GPL-2.0-only
/*
 * The demo run inside the VM: shows, in plain words, /dev/iommu answering
 * a program the way a VMM would use it, and says at the end whether all of
 * it behaved as expected.  (Device DMA through /dev/iommu joins it once
 * devices can be attached.)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/iommufd.h>

static int problems;

static void step(int ok, const char *what)
{
	printf("  [%s] %s\n", ok ? " ok " : "FAIL", what);
	if (!ok)
		problems++;
}

int main(void)
{
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_destroy destroy = { .size = sizeof(destroy) };
	struct stat st;
	int fd, rc;

	printf("/dev/iommu demo\n");
	rc = stat("/dev/iommu", &st);
	printf("  /dev/iommu is character device %u:%u\n",
	       major(st.st_rdev), minor(st.st_rdev));
	step(rc == 0 && S_ISCHR(st.st_mode), "the device node exists");

	fd = open("/dev/iommu", O_RDWR);
	step(fd >= 0, "a program opens it, as a VMM would");
	if (fd < 0)
		goto out;

	rc = ioctl(fd, IOMMU_IOAS_ALLOC, &alloc);
	printf("  IOMMU_IOAS_ALLOC made I/O address space #%u\n",
	       alloc.out_ioas_id);
	step(rc == 0 && alloc.out_ioas_id, "an I/O address space is created");

	destroy.id = alloc.out_ioas_id;
	rc = ioctl(fd, IOMMU_DESTROY, &destroy);
	step(rc == 0, "IOMMU_DESTROY removes it");

	rc = ioctl(fd, IOMMU_DESTROY, &destroy);
	printf("  destroying it again: %s\n", strerror(errno));
	step(rc == -1 && errno == ENOENT, "a second destroy is refused (ENOENT)");

	alloc.flags = 1;
	rc = ioctl(fd, IOMMU_IOAS_ALLOC, &alloc);
	printf("  an unknown flag: %s\n", strerror(errno));
	step(rc == -1 && errno == EOPNOTSUPP,
	     "malformed input is refused (EOPNOTSUPP)");
	close(fd);
out:
	printf("\n%s\n", problems ?
	       "RESULT: something did not behave as expected (see FAIL above)" :
	       "RESULT: everything shown behaved as expected");
	return problems ? 1 : 0;
}
