"""区市场监管局: findings on products failing mandatory standards and licences held with eliminated equipment."""
