"""区应急管理局: findings on major accident hazards (工贸行业重大生产安全事故隐患判定标准)."""
