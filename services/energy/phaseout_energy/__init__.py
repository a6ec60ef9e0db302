"""The energy bureau (能耗; its unit: phaseout_kit.registry): findings on unit-product energy consumption over mandatory limits."""
