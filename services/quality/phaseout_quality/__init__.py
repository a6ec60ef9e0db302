"""The quality bureau (质量; its unit: phaseout_kit.registry): findings on products failing mandatory standards and licences held with eliminated equipment."""
