"""The technology bureau (技术; its units: phaseout_kit.registry): findings on equipment and processes listed as eliminated (产业结构调整指导目录)."""
