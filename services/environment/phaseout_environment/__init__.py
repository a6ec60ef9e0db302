"""区生态环境局: findings on emissions over standard, over total-load quota, permit violations."""
