"""The safety bureau (安全; its unit: phaseout_kit.registry): findings on major accident hazards (工贸行业重大生产安全事故隐患判定标准)."""
