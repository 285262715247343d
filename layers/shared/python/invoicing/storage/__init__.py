"""DynamoDB access, one module per aggregate. Key formats live beside the code that uses them."""
