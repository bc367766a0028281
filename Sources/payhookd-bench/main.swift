print("payhookd-bench")
