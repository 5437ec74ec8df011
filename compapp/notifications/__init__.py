"""In-app notifications and the 待我处理 list: what awaits each person."""
