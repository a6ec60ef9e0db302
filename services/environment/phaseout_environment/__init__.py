"""The environment bureau (环保; its unit: phaseout_kit.registry): findings on emissions over standard, over total-load quota, permit violations."""
