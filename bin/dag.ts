console.log("dag")
