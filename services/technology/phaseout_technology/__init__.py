"""区经济信息委、区发展改革委: findings on equipment and processes listed as eliminated (产业结构调整指导目录)."""
