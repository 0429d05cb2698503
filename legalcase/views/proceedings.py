"""The matter page's proceedings and rulings sections, the lawyers' home and the firms' activity."""
