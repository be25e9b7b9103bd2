# make deb: the iommufd-dkms package, out/deb/iommufd-dkms_VERSION_all.deb,
# built with Debian's tooling (dh with the dkms sequence) from a staged
# copy of the sources DKMS needs: module/, include/, the VFIO build files
# (Kbuild, vfio/prepare.sh, the project's vfio-pci-core files and patches)
# and packaging/dkms/ (as dkms/), with packaging/debian/ as debian/, and
# tools/ (iommufd-stat and its manual page).
# Nothing is compiled here; DKMS compiles on the target.  lintian must be
# clean (overrides, if any, are explained in packaging/debian/).

DEB_VERSION := $(shell dpkg-parsechangelog -l packaging/debian/changelog -S Version)
DEB_STAGE := $(OUT)/deb/build/iommufd-dkms-$(DEB_VERSION)
DEB_FILE := $(OUT)/deb/iommufd-dkms_$(DEB_VERSION)_all.deb
DEB_VFIO := vfio/Kbuild vfio/prepare.sh vfio/pci/Kbuild vfio/pci/vfio_pci_dmabuf.c \
	vfio/pci/vfio_pci_dmabuf.h $(wildcard vfio/patches/*.patch)
DEB_INPUTS := $(shell find module include packaging tools -type f 2>/dev/null) $(DEB_VFIO)

.PHONY: deb-build
deb-build: $(DEB_FILE)

$(DEB_FILE): $(DEB_INPUTS) mk/deb.mk
	@echo "deb: staging $(notdir $(DEB_STAGE))"
	@rm -rf $(OUT)/deb/build && mkdir -p $(DEB_STAGE)/vfio/pci
	cp -a module include $(DEB_STAGE)/
	mkdir -p $(DEB_STAGE)/tools
	cp tools/iommufd-stat tools/iommufd-stat.8 $(DEB_STAGE)/tools/
	cp --parents $(DEB_VFIO) $(DEB_STAGE)/
	cp -a packaging/dkms $(DEB_STAGE)/dkms
	cp -a packaging/debian $(DEB_STAGE)/debian
	@echo "deb: dpkg-buildpackage"
	cd $(DEB_STAGE) && dpkg-buildpackage -b -us -uc >$(OUT)/deb/build/build.log 2>&1 || \
		{ tail -30 $(OUT)/deb/build/build.log; exit 1; }
	@echo "deb: lintian"
	lintian --fail-on error,warning --info $(OUT)/deb/build/iommufd-dkms_$(DEB_VERSION)_all.deb
	mv $(OUT)/deb/build/iommufd-dkms_$(DEB_VERSION)_all.deb $@
	@echo "deb: $@"

# make check-package: the package proven in a booted Debian 13, or Debian
# 12 with SUITE=bookworm (packaging/check/check-package.sh), with the
# bare-metal guest its nested QEMU runs.
EDU_GUEST := $(OUT)/package/edu-guest.elf

$(EDU_GUEST): packaging/check/edu-guest.c packaging/check/edu-guest.ld
	@mkdir -p $(@D)
	$(CC) -m32 -ffreestanding -fno-pic -fno-stack-protector \
		-fno-asynchronous-unwind-tables -nostdlib -static -O2 \
		-Wall -Wextra -Werror -T packaging/check/edu-guest.ld \
		-Wl,--build-id=none -o $@ $<

.PHONY: check-package-run
check-package-run: $(DEB_FILE) $(EDU_GUEST)
	@packaging/check/check-package.sh $(DEB_FILE)
