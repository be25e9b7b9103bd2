# VFIO (vfio.ko, vfio-pci-core.ko, vfio-pci.ko) rebuilt from Debian's
# linux-source-6.12 with iommufd support and the device cdev, linked against
# this project's Module.symvers.  Only drivers/vfio is unpacked, under
# out/build/vfio-debian/ (kept as Debian ships it: the bench's reference
# builds from it); vfio/prepare.sh makes the build tree out/build/vfio/ from
# it with the project's Kbuild files, its own vfio-pci-core files and its
# patches (vfio/patches/), so no VFIO source is committed.
#
# While iommufd.ko lacks the in-kernel device API, VFIO links only with the
# missing symbols allowed; out/modules/vfio.links records whether every
# iommufd_* symbol VFIO needs is exported by iommufd.ko, and load.sh loads
# VFIO only then.

VFIO_SRC_TAR := /usr/src/linux-source-6.12.tar.xz
VFIO_DEBIAN_DIR := $(OUT)/build/vfio-debian
VFIO_DIR := $(OUT)/build/vfio
VFIO_PREPARE := vfio/prepare.sh vfio/Kbuild vfio/pci/Kbuild \
	vfio/pci/vfio_pci_dmabuf.c vfio/pci/vfio_pci_dmabuf.h \
	$(wildcard vfio/patches/*.patch) include/linux/iommufd_ext.h \
	include/uapi/linux/vfio_dmabuf.h
VFIO_KOS := vfio.ko pci/vfio-pci-core.ko pci/vfio-pci.ko
VFIO_FLAGS := KBUILD_EXTRA_SYMBOLS=$(OUT)/build/iommufd-test/module/Module.symvers

.PHONY: vfio
vfio: $(OUT)/modules/vfio.ko

$(VFIO_DEBIAN_DIR)/.unpacked: $(VFIO_SRC_TAR)
	@rm -rf $(VFIO_DEBIAN_DIR) && mkdir -p $(VFIO_DEBIAN_DIR)
	tar -xf $< -C $(VFIO_DEBIAN_DIR) --strip-components=3 \
		--wildcards --no-wildcards-match-slash \
		'linux-source-6.12/drivers/vfio/*.[ch]' \
		'linux-source-6.12/drivers/vfio/pci/*.[ch]'
	@touch $@

$(VFIO_DIR)/.prepared: $(VFIO_DEBIAN_DIR)/.unpacked $(VFIO_PREPARE)
	vfio/prepare.sh $(VFIO_DEBIAN_DIR) $(VFIO_DIR)
	@touch $@

$(OUT)/modules/vfio.ko: $(VFIO_DIR)/.prepared $(OUT)/build/iommufd-test/module/iommufd.ko
	@# Symbol versions come from iommufd.ko's Module.symvers, which changes
	@# with it: relink (modpost and link only; objects stay).
	@rm -f $(addprefix $(VFIO_DIR)/,$(VFIO_KOS)) $(VFIO_DIR)/Module.symvers \
		$(VFIO_DIR)/*.mod.[co] $(VFIO_DIR)/pci/*.mod.[co]
	$(MAKE) -C $(KDIR) M=$(VFIO_DIR) $(VFIO_FLAGS) KBUILD_MODPOST_WARN=1 \
		modules
	@mkdir -p $(@D)
	cp $(addprefix $(VFIO_DIR)/,$(VFIO_KOS)) $(@D)/
	@missing=$$(nm -u $(addprefix $(VFIO_DIR)/,$(VFIO_KOS)) | \
		awk '$$2 ~ /^iommufd_/ {print $$2}' | sort -u | \
		while read -r sym; do \
			awk -v s="$$sym" '$$2 == s {f=1} END {exit !f}' \
				$(OUT)/build/iommufd-test/module/Module.symvers || echo "$$sym"; \
		done); \
	if [ -n "$$missing" ]; then \
		echo "vfio: built, but not loadable until iommufd.ko exports:" $$missing; \
		echo no >$(@D)/vfio.links; \
	else \
		echo yes >$(@D)/vfio.links; \
	fi

# The /dev/vfio/vfio variant: VFIO without its container, with an iommufd.ko
# built with IOMMUFD_VFIO_CONTAINER=y (test configuration too), together in
# out/modules/container/ with their own load.sh.
VFIO_NC_DIR := $(OUT)/build/vfio-nc
CONTAINER_DIR := $(OUT)/modules/container

.PHONY: vfio-container
vfio-container: $(CONTAINER_DIR)/vfio.ko

$(OUT)/build/iommufd-container/module/iommufd.ko: $(MODULE_SRCS)
	$(call build_module,$(OUT)/build/iommufd-container,IOMMUFD_SELFTEST=y IOMMUFD_VFIO_CONTAINER=y)

$(CONTAINER_DIR)/vfio.ko: $(VFIO_DEBIAN_DIR)/.unpacked $(VFIO_PREPARE) \
		$(OUT)/build/iommufd-container/module/iommufd.ko \
		vfio/no-container/Kbuild vfio/no-container/undef_container.h \
		vm/guest/load.sh vm/guest/unload.sh
	vfio/prepare.sh $(VFIO_DEBIAN_DIR) $(VFIO_NC_DIR)
	cp vfio/no-container/Kbuild vfio/no-container/undef_container.h \
		$(VFIO_NC_DIR)/
	$(MAKE) -C $(KDIR) M=$(VFIO_NC_DIR) \
		KBUILD_EXTRA_SYMBOLS=$(OUT)/build/iommufd-container/module/Module.symvers \
		modules
	@mkdir -p $(@D)
	cp $(OUT)/build/iommufd-container/module/iommufd.ko $(@D)/
	cp $(addprefix $(VFIO_NC_DIR)/,$(VFIO_KOS)) $(@D)/
	install -m 755 vm/guest/load.sh vm/guest/unload.sh $(@D)/
	echo yes >$(@D)/vfio.links
