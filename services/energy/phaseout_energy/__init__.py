"""区经济信息委 energy-saving supervision: findings on unit-product energy consumption over mandatory limits."""
