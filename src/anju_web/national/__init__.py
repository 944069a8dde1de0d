"""The national level (全国): 财政部 and 住建部 read every top-level reporting region."""
