# `make bench`: this project's iommufd.ko against upstream's and against
# VFIO type1, in one VM under VT-d (README.md, "Benchmarks", says what
# is measured).
#
# The reference is upstream's drivers/iommu/iommufd of Debian's
# linux-source-6.12, unpacked under out/bench/build/src/ at bench time and
# built out of tree with bench/ref/Kbuild twice: out/bench/build/ref/
# (production, as out/release/iommufd.ko) and out/bench/build/ref-test/
# (CONFIG_IOMMUFD_TEST, for the rows that need the test ABI).  Each
# iommufd.ko gets its own VFIO, rebuilt from the sources mk/vfio.mk unpacks
# (the reference's as Debian ships them, the project's with its patches)
# and linked against that module's Module.symvers.  VFIO type1 is
# Debian's own vfio.ko and vfio_iommu_type1.ko.  The module sets go into a
# guest image of their own, out/bench/bench.cpio.gz; make check's image is
# untouched.

BENCH := $(OUT)/bench
BENCH_BUILD := $(BENCH)/build
BENCH_ROOT := $(BENCH)/root
BENCH_SETS := ref ref-test proj proj-test type1
REF_SRC := $(BENCH_BUILD)/src

.PHONY: bench-build
bench-build: $(BENCH)/bench.cpio.gz

$(REF_SRC)/.unpacked: $(VFIO_SRC_TAR)
	@rm -rf $(REF_SRC) && mkdir -p $(REF_SRC)
	tar -xf $< -C $(REF_SRC) --strip-components=1 \
		--wildcards --no-wildcards-match-slash \
		'linux-source-6.12/drivers/iommu/iommufd/*.[ch]' \
		linux-source-6.12/drivers/iommu/iommu-priv.h \
		linux-source-6.12/lib/interval_tree.c
	@touch $@

# $(call bench_ref,variant,extra make args): the reference iommufd.ko.
define bench_ref
$(BENCH_BUILD)/$(1)/drivers/iommu/iommufd/iommufd.ko: $(REF_SRC)/.unpacked bench/ref/Kbuild bench/ref/ref_shim.c
	@echo "bench: building the reference iommufd.ko ($(1))"
	@rm -rf $(BENCH_BUILD)/$(1) && mkdir -p $(BENCH_BUILD)/$(1)
	cp -r $(REF_SRC)/drivers $(REF_SRC)/lib $(BENCH_BUILD)/$(1)/
	cp bench/ref/Kbuild bench/ref/ref_shim.c $(BENCH_BUILD)/$(1)/drivers/iommu/iommufd/
	$(MAKE) -C $(KDIR) M=$(BENCH_BUILD)/$(1)/drivers/iommu/iommufd $(2) modules
endef
$(eval $(call bench_ref,ref,))
$(eval $(call bench_ref,ref-test,REF_TEST=y))

# $(call bench_vfio,variant,Module.symvers): VFIO linked against it.
define bench_vfio
$(BENCH_BUILD)/vfio-$(1)/vfio.ko: $(VFIO_DEBIAN_DIR)/.unpacked $(dir $(2))iommufd.ko vfio/Kbuild vfio/pci/Kbuild
	@echo "bench: building VFIO against $(2)"
	@rm -rf $(BENCH_BUILD)/vfio-$(1) && mkdir -p $(BENCH_BUILD)/vfio-$(1)/pci
	cp $(VFIO_DEBIAN_DIR)/*.[ch] vfio/Kbuild $(BENCH_BUILD)/vfio-$(1)/
	cp $(VFIO_DEBIAN_DIR)/pci/*.[ch] vfio/pci/Kbuild $(BENCH_BUILD)/vfio-$(1)/pci/
	$(MAKE) -C $(KDIR) M=$(BENCH_BUILD)/vfio-$(1) KBUILD_EXTRA_SYMBOLS=$(2) modules
endef
$(eval $(call bench_vfio,ref,$(BENCH_BUILD)/ref/drivers/iommu/iommufd/Module.symvers))
$(eval $(call bench_vfio,ref-test,$(BENCH_BUILD)/ref-test/drivers/iommu/iommufd/Module.symvers))

# The project's release build gets the VFIO it ships with: Debian's files
# with the project's patches (vfio/prepare.sh), as make and DKMS build it.
$(BENCH_BUILD)/vfio-proj/vfio.ko: $(VFIO_DEBIAN_DIR)/.unpacked $(VFIO_PREPARE) $(OUT)/build/iommufd/module/iommufd.ko
	@echo "bench: building the project's VFIO against its release build"
	vfio/prepare.sh $(VFIO_DEBIAN_DIR) $(BENCH_BUILD)/vfio-proj
	$(MAKE) -C $(KDIR) M=$(BENCH_BUILD)/vfio-proj \
		KBUILD_EXTRA_SYMBOLS=$(OUT)/build/iommufd/module/Module.symvers modules

BENCH_TYPE1_KOS := drivers/vfio/vfio.ko drivers/vfio/vfio_iommu_type1.ko \
	drivers/vfio/pci/vfio-pci-core.ko drivers/vfio/pci/vfio-pci.ko

$(OUT)/bench/bench: bench/bench.c $(OUT)/include/.done $(wildcard include/uapi/linux/*.h) tests/lib/edu.h
	@mkdir -p $(@D)
	$(CC) $(TEST_CFLAGS) -static -o $@ $<

# One folder per module set, each with the load.sh and unload.sh the
# guest's round loop (bench/guest/rounds.sh) calls.
$(BENCH)/bench.cpio.gz: $(foreach v,ref ref-test proj,$(BENCH_BUILD)/vfio-$(v)/vfio.ko) \
		$(BENCH_BUILD)/ref/drivers/iommu/iommufd/iommufd.ko \
		$(BENCH_BUILD)/ref-test/drivers/iommu/iommufd/iommufd.ko \
		$(OUT)/release/iommufd.ko $(OUT)/modules/.done $(OUT)/modules/vfio.ko \
		$(OUT)/modules/irqbypass.ko $(OUT)/bench/bench \
		$(wildcard bench/guest/*) vm/guest/init vm/guest/load.sh /bin/busybox
	@echo "bench: guest image"
	@rm -rf $(BENCH_ROOT)
	@mkdir -p $(BENCH_ROOT)/{bin,sbin,proc,sys,dev,tmp,lib/bench,bench}
	@cp /bin/busybox $(BENCH_ROOT)/bin/
	@install -m 755 vm/guest/init $(BENCH_ROOT)/init
	@install -m 755 $(OUT)/bench/bench bench/guest/rounds.sh bench/guest/setup.sh \
		bench/guest/profile.sh $(BENCH_ROOT)/bench/
	@for s in $(BENCH_SETS) idle; do mkdir -p $(BENCH_ROOT)/lib/bench/$$s; \
		install -m 755 bench/guest/unload.sh $(BENCH_ROOT)/lib/bench/$$s/; done
	@install -m 755 bench/guest/idle-load.sh $(BENCH_ROOT)/lib/bench/idle/load.sh
	@for s in ref ref-test proj proj-test; do \
		install -m 755 vm/guest/load.sh $(BENCH_ROOT)/lib/bench/$$s/; \
		cp $(OUT)/modules/irqbypass.ko $(BENCH_ROOT)/lib/bench/$$s/; \
		echo yes >$(BENCH_ROOT)/lib/bench/$$s/vfio.links; done
	@cp $(BENCH_BUILD)/ref/drivers/iommu/iommufd/iommufd.ko $(BENCH_ROOT)/lib/bench/ref/
	@cp $(BENCH_BUILD)/ref-test/drivers/iommu/iommufd/iommufd.ko $(BENCH_ROOT)/lib/bench/ref-test/
	@cp $(OUT)/release/iommufd.ko $(BENCH_ROOT)/lib/bench/proj/
	@cp $(OUT)/modules/iommufd.ko $(BENCH_ROOT)/lib/bench/proj-test/
	@cp $(addprefix $(OUT)/modules/,$(VFIO_KOS:pci/%=%)) $(BENCH_ROOT)/lib/bench/proj-test/
	@for v in ref ref-test proj; do \
		cp $(addprefix $(BENCH_BUILD)/vfio-$$v/,$(VFIO_KOS)) $(BENCH_ROOT)/lib/bench/$$v/; done
	@install -m 755 bench/guest/type1-load.sh $(BENCH_ROOT)/lib/bench/type1/load.sh
	@cp $(OUT)/modules/irqbypass.ko $(BENCH_ROOT)/lib/bench/type1/
	@for k in $(BENCH_TYPE1_KOS); do \
		xz -dc $(KMODS)/$$k.xz >$(BENCH_ROOT)/lib/bench/type1/$$(basename $$k); done
	(cd $(BENCH_ROOT) && find . | cpio -o -H newc --quiet | gzip -1) >$@
